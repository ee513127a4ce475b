"""Reading an ever-growing list (the run history) from a watermark.

A complete list such as the schedules is read whole at every sync. The run
history grows without end, so a sync reads only a window of it, oldest first:
from the watermark (the newest creation time stored for the workspace) less
OVERLAP, for items AAC lists a little after the time it stamps on them. Items
stored unfinished are read again until they finish: the window reaches back
to the oldest of them, within UNFINISHED_HORIZON (an item unfinished for
longer is one AAC has stopped updating; it stays as last read). So the pages a
sync fetches grow with what was created since the last sync and with what is
still running, never with the history. A first sync reads the last
AAC_RUN_RETENTION_DAYS. A sync reads at most MAX_PAGES pages: a longer history
is caught up over several syncs, each moving the watermark on.

Nothing is deleted for being missing from a window (`Kind.deletes_missing` is
False for these kinds); old items go by age (`schedules.assets.prune`).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import Max, Min, Q
from django.utils import timezone

from aac import AACClient
from schedules.sync.kinds import Scope
from workspaces.models import Workspace

OVERLAP = timedelta(minutes=10)
UNFINISHED_HORIZON = timedelta(hours=12)
# With pages of 1,000: 100,000 items a sync, far more than a busy workspace's
# UNFINISHED_HORIZON holds.
MAX_PAGES = 100


@dataclass(frozen=True)
class Watermark:
    """How a kind's list is read from a watermark (`Kind.window`)."""

    model: type[models.Model]
    # The field holding AAC's creation time, which the list filters and sorts on.
    created: str
    # Stored rows AAC will still change, read again until they do not match.
    unfinished: Q
    # Pages of the items created at or after an instant, oldest first.
    list_since: Callable[[AACClient, datetime], Iterable[list]]

    def __call__(self, workspace: Workspace) -> Scope:
        rows = self.model.objects.filter(workspace=workspace)
        since = self.since(rows, now=timezone.now())
        return Scope(
            list_pages=partial(self._pages, since=since),
            stored=rows.filter(**{f"{self.created}__gte": since}),
        )

    def since(self, rows: models.QuerySet, *, now: datetime) -> datetime:
        """Where this sync's window starts (two index lookups)."""
        newest = rows.aggregate(at=Max(self.created))["at"]
        if newest is None:
            return now - timedelta(days=settings.AAC_RUN_RETENTION_DAYS)
        since = min(newest, now) - OVERLAP
        horizon = {f"{self.created}__gte": now - UNFINISHED_HORIZON}
        oldest = (
            rows.filter(self.unfinished, **horizon)
            .aggregate(at=Min(self.created))
            .get("at")
        )
        return min(since, oldest) if oldest is not None else since

    def _pages(self, client: AACClient, *, since: datetime) -> Iterator[list]:
        for number, page in enumerate(self.list_since(client, since), start=1):
            yield page
            if number >= MAX_PAGES:
                return
