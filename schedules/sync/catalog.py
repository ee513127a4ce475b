"""The kinds a sync of a workspace caches, in the order it applies them.

People first, so the schedules' owners link to this sync's people; the plans,
flows and workflows before the run history, whose rollups update them. A
module of its own: the assets' kinds are built on `kinds`, so `kinds` cannot
list them.
"""

from schedules.assets.kinds import ASSET_KINDS
from schedules.sync.kinds import PEOPLE, SCHEDULES

KINDS = (PEOPLE, SCHEDULES, *ASSET_KINDS)
