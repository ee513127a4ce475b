"""Reading an ever-growing list (the run history) from a watermark.

A complete list such as the schedules is read whole at every sync. The run
history grows without end, so a sync reads only windows of it, oldest first:

1. what is new: from the watermark (the newest creation time stored for the
   workspace) less OVERLAP, for items AAC lists a little after the time it
   stamps on them; a first sync reads the last AAC_RUN_RETENTION_DAYS;
2. what is still running: items stored unfinished are read again until they
   finish, from the oldest of them up to where the first window starts,
   within UNFINISHED_HORIZON (an item unfinished for longer is one AAC has
   stopped updating: it stays as last read).

So the items a sync fetches grow with what was created since the last sync
and with what is still running, never with the history. A sync reads at most
MAX_ITEMS items, the new ones first: a longer history is caught up over
several syncs, each moving the watermark on, and a crowd of unfinished items
never keeps the new ones from being read.

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
# Some 40 seconds of a sync at the simulator's pace, well inside the task's
# time limit.
MAX_ITEMS = 100_000


@dataclass(frozen=True)
class Windows:
    """Where a sync's two windows start: what is new, and what still runs."""

    new: datetime
    # The oldest unfinished item before `new`, within the horizon; or None.
    unfinished: datetime | None

    @property
    def start(self) -> datetime:
        return min(self.new, self.unfinished or self.new)


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
    # An item's creation time as AAC sent it; None when unreadable.
    created_of: Callable[[dict], datetime | None]

    def __call__(self, workspace: Workspace) -> Scope:
        rows = self.model.objects.filter(workspace=workspace)
        windows = self.windows(rows, now=timezone.now())
        return Scope(
            list_pages=partial(self._pages, windows=windows),
            stored=rows.filter(**{f"{self.created}__gte": windows.start}),
        )

    def windows(self, rows: models.QuerySet, *, now: datetime) -> Windows:
        """Where this sync's windows start (two index lookups)."""
        newest = rows.aggregate(at=Max(self.created))["at"]
        if newest is None:
            return Windows(now - timedelta(days=settings.AAC_RUN_RETENTION_DAYS), None)
        # Whole milliseconds, as AAC's times and date filter are: an item is
        # then in one window or the other, never both.
        new = min(newest, now) - OVERLAP
        new -= timedelta(microseconds=new.microsecond % 1000)
        unfinished = rows.filter(
            self.unfinished,
            **{f"{self.created}__gte": now - UNFINISHED_HORIZON},
            **{f"{self.created}__lt": new},
        )
        return Windows(new, unfinished.aggregate(at=Min(self.created))["at"])

    def _pages(self, client: AACClient, *, windows: Windows) -> Iterator[list]:
        """The windows' pages while the sync's MAX_ITEMS last, the new first."""
        left = MAX_ITEMS
        for page in self._windows(client, windows):
            if left <= 0:
                return
            left -= len(page)
            yield page

    def _windows(self, client: AACClient, windows: Windows) -> Iterator[list]:
        yield from self.list_since(client, windows.new)
        if windows.unfinished is not None:
            pages = self.list_since(client, windows.unfinished)
            yield from self._before(pages, windows.new)

    def _before(self, pages: Iterable[list], end: datetime) -> Iterator[list]:
        """The items created before `end` (which the first window reads); the
        pages stop at the first item created at or after it."""
        for page in pages:
            created = [self.created_of(item) for item in page]
            kept = [
                item
                for item, at in zip(page, created, strict=True)
                if at is not None and at < end
            ]
            yield kept
            if any(at is not None and at >= end for at in created):
                return
