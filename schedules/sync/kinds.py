"""The kinds of AAC object the sync caches, and what the engine needs to know of each.

A kind says what to list (and, if AAC counts it, how to count it), how to
parse one item, and which model and key receive it. Whether a stored object
missing from AAC's list is deleted is the kind's to say too: a full list
(schedules) says so, an incremental one (run history) does not, and reads
only a window of the list, which its `window` chooses per workspace
(`schedules.sync.incremental`). Adding a kind of object means writing one
`Kind` and its model, not another engine; `schedules.sync.catalog` lists the
kinds a sync caches.

A kind's model holds one row per AAC object: a `workspace` foreign key, the
key (unique together with the workspace), `raw`, `fingerprint`, `synced_at`
and `seen_by` (the connections that list it), plus the fields its parser
fills. Every kind is listed through every connection of the workspace.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet

from aac import AACClient
from schedules.models import Person, Schedule
from schedules.parse import identify, next_run_at, parse_schedule
from schedules.people import link_owners, name_connections, parse_person
from workspaces.models import Workspace

# Rows per next-run UPDATE batch.
BATCH_SIZE = 500
# What every kind's model has besides its key and its parsed fields.
CACHE_FIELDS = ("workspace", "raw", "fingerprint", "synced_at", "seen_by")


class ParsedItem(Protocol):
    """One item of AAC's list, read: its id, its column values and its digest."""

    aac_id: int | str
    fields: dict
    # What the fingerprint digests, stored as `raw`.
    raw_json: str
    fingerprint: str
    # What the parser did not understand; the item counts as unparsed.
    problems: tuple[str, ...]


class Identity(Protocol):
    """An item's id and digest, read before (and instead of) parsing it."""

    aac_id: int | str
    raw_json: str
    fingerprint: str


class Parse(Protocol):
    def __call__(self, raw: object, *, now: datetime) -> ParsedItem | None: ...


@dataclass(frozen=True)
class Scope:
    """What one sync reads of a kind, and the stored rows that is compared with."""

    list_pages: Callable[[AACClient], Iterable[list]]
    stored: QuerySet


@dataclass(frozen=True)
class Kind:
    """One kind of AAC object the portal caches."""

    # Its key in `SyncRun.counts`, and its plural in messages ("schedules").
    name: str
    model: type[models.Model]
    # The model field that holds AAC's id; unique together with `workspace`.
    key: str
    # Pages of raw items, one list each, from a client with a fresh token.
    list_pages: Callable[[AACClient], Iterable[list]]
    # One raw item read; None for an item without a usable id (counted, not
    # stored).
    parse: Parse
    # AAC's own count of the list, read before and after the pages to tell a
    # list that moved under the reader; None when AAC counts nothing.
    count: Callable[[AACClient], int] | None = None
    # The list is complete: a stored object it no longer lists (and a second
    # read confirms) is deleted. False for an incremental list.
    deletes_missing: bool = True
    # Work after the kind's rows are applied, in the same transaction; what
    # it returns is true when it changed rows.
    after_apply: Callable[[Workspace, datetime], object] | None = None
    # An incremental list: the part of AAC's list one sync of a workspace
    # reads, and the stored rows that part covers. None: the whole list,
    # compared with every stored row.
    window: Callable[[Workspace], Scope] | None = None
    # The id and digest of one raw item without parsing it (None without a
    # usable id), so an item whose digest is the stored one is never parsed;
    # `parse` then takes it as `identity=`. Its model keeps an `unparsed`
    # flag, which counts the skipped items the parser did not understand.
    identify: Callable[[object], Identity | None] | None = None
    # Model fields the sync's upsert leaves alone: worked out by `after_apply`
    # from other rows, not read from AAC (they need database defaults).
    derived: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = {field.name for field in self.model._meta.get_fields()}
        wanted = (self.key, *CACHE_FIELDS, *self.derived)
        if self.identify is not None:
            wanted += ("unparsed",)
        missing = [name for name in wanted if name not in names]
        if missing:
            raise ImproperlyConfigured(
                f"Kind {self.name!r}: {self.model.__name__} lacks {missing}"
            )
        if self.window is not None and self.deletes_missing:
            raise ImproperlyConfigured(
                f"Kind {self.name!r}: a window of a list cannot tell what AAC deleted"
            )

    def scope(self, workspace: Workspace) -> Scope:
        """What a sync of `workspace` reads of this kind."""
        if self.window is not None:
            return self.window(workspace)
        rows = self.model.objects.filter(workspace=workspace)
        return Scope(list_pages=self.list_pages, stored=rows)


def advance_next_runs(workspace: Workspace, now: datetime) -> int:
    """Recompute `next_run_at` of the workspace's schedules whose next run passed.

    The beat syncs every workspace every AAC_SYNC_INTERVAL_MINUTES, so next
    runs in the cache are never more than that out of date.
    """
    passed = Schedule.objects.filter(workspace=workspace, next_run_at__lte=now)
    rows = list(passed.only("pk", "raw")[:BATCH_SIZE])
    changed = 0
    while rows:
        for row in rows:
            row.next_run_at = next_run_at(row.raw, after=now)
        changed += Schedule.objects.bulk_update(rows, ["next_run_at"])
        # Updated rows now lie in the future, so the same query pages on.
        rows = list(passed.only("pk", "raw")[:BATCH_SIZE])
    return changed


def after_schedules(workspace: Workspace, now: datetime) -> int:
    """Rows changed: next runs moved on, owners corrected."""
    return advance_next_runs(workspace, now) + link_owners(workspace)


def after_people(workspace: Workspace, now: datetime) -> None:
    name_connections(workspace)


PEOPLE = Kind(
    name="people",
    model=Person,
    key="aac_id",
    list_pages=AACClient.iter_people_pages,
    parse=parse_person,
    identify=identify,
    deletes_missing=True,
    after_apply=after_people,
)

SCHEDULES = Kind(
    name="schedules",
    model=Schedule,
    key="aac_id",
    list_pages=AACClient.iter_schedule_pages,
    parse=parse_schedule,
    identify=identify,
    count=AACClient.count_schedules,
    deletes_missing=True,
    after_apply=after_schedules,
)
