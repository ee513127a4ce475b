"""What the schedules table offers its operators: tick boxes and "Run now".

Which schedules a ticked selection or a filter covers is
`actions.selection.selection_of`'s, shared with the API.
"""

from schedules.assets.models import ASSET_MODELS
from workspaces import access


def row_actions(user) -> dict:
    """What the schedules table needs to offer its actions: the tick boxes for
    operators, and "Run now" on rows of workspaces they operate whose task
    AAC's API can start (docs/aac-api.md, Plans flows workflows and their
    runs)."""
    operable = access.operable_ids(user)
    return {
        "can_act": bool(operable),
        "operable_ids": operable,
        "runnable": tuple(ASSET_MODELS),
    }
