"""Applying what every working connection listed: the union, its masks, one transaction.

A row listed by several connections is stored once; its `seen_by` names them
all. The rules per connection (docs/reliability.md rule 9): a connection
whose list was read consistently sets its bit on what it listed and drops it
from what it no longer lists (once a second read confirms); a connection that
failed keeps its bits as they were, so what only it could see stays, last
confirmed when it last worked; a row no connection holds any more is deleted.
Bits of connections removed while the sync ran are dropped.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from schedules import summaries
from schedules.models import ConnectionReport, KindCounts, Schedule, SyncRun
from schedules.sync.fetch import Listing, Stored
from schedules.sync.kinds import Kind
from schedules.sync.runs import Heartbeat, finish
from schedules.sync.spool import Spool
from schedules.sync.upsert import Upsert
from workspaces.models import Connection, Workspace

logger = logging.getLogger(__name__)

# Rows per DELETE or mask UPDATE.
BATCH_SIZE = 500


@dataclass
class Union:
    """One kind, as every connection whose list was read consistently listed it."""

    kind: Kind
    stored: Stored
    # key -> bits of the connections that list it.
    listed: dict[int, int] = field(default_factory=dict)
    # key -> bits of connections whose stopping to list it is not confirmed.
    kept: dict[int, int] = field(default_factory=dict)
    # Bits of the connections added.
    working: int = 0
    spools: list[Spool] = field(default_factory=list)
    pages: int = 0
    unparsed: set[int] = field(default_factory=set)
    ignored: int = 0

    def add(self, connection: Connection, listing: Listing) -> None:
        bit, read = connection.bit, listing.read
        self.working |= bit
        for key in read.seen:
            self.listed[key] = self.listed.get(key, 0) | bit
        for key in listing.unconfirmed:
            self.kept[key] = self.kept.get(key, 0) | bit
        self.spools.append(read.spool)
        self.pages += read.counts.pages
        self.unparsed |= read.unparsed
        # Items without an id cannot be told apart: the most any list held.
        self.ignored = max(self.ignored, read.counts.ignored)

    def mask(self, key: int, live: int) -> int:
        """The connections (of `live`) that hold `key` after this sync."""
        old = self.stored.masks.get(key, 0)
        listed = self.listed.get(key, 0)
        if not self.kind.deletes_missing:
            return (old | listed) & live
        return (listed | self.kept.get(key, 0) | (old & ~self.working)) & live


def apply(
    run: SyncRun,
    workspace: Workspace,
    unions: list[Union],
    heartbeat: Heartbeat,
    *,
    connections: list[Connection],
    reports: list[ConnectionReport],
    note: str = "",
) -> SyncRun:
    """Write every kind's rows, masks and deletions, the workspace's summary
    (`schedules.summaries`: when a row changed, or it is getting old), then
    finish the run, atomically.

    `connections` are those the sync tried; `reports` what each did. The
    heartbeat inside the transaction also locks the run's row until the
    commit (on PostgreSQL): an expiry arriving meanwhile waits, then finds
    the run finished. A run already expired raises RunLost: nothing is
    applied.
    """
    with transaction.atomic():
        heartbeat.beat()
        live = _live_bits(workspace, connections)
        applied = {
            union.kind.name: _apply_kind(union, workspace, live) for union in unions
        }
        counts = {name: kind_counts for name, (kind_counts, _) in applied.items()}
        # The summaries count schedules (whose owners the people correct).
        schedules_changed = any(
            applied[union.kind.name][1]
            for union in unions
            if union.kind.model is Schedule
        )
        if schedules_changed or summaries.stale(workspace.pk):
            summaries.record(workspace.pk)
        working = [report.connection for report in reports if not report.failed]
        Connection.objects.filter(pk__in=working).update(listed_at=timezone.now())
        return finish(
            run,
            SyncRun.Status.SUCCEEDED,
            kind="connections" if note else "",
            message=note,
            counts=counts,
            pages_fetched=heartbeat.pages,
            reports=reports,
        )


def _live_bits(workspace: Workspace, tried: list[Connection]) -> int:
    """Bits of the tried connections that still exist, locked until the commit.

    Removing a connection deletes its row first and then its bits from the
    cache (`schedules.connections`), so it waits for this apply, then clears
    whatever this apply wrote for it.
    """
    slots = dict(
        Connection.objects.select_for_update()
        .filter(workspace=workspace)
        .values_list("pk", "slot")
    )
    return sum(1 << c.slot for c in tried if slots.get(c.pk) == c.slot)


def _apply_kind(
    union: Union, workspace: Workspace, live: int
) -> tuple[KindCounts, bool]:
    """The kind's counts, and whether it changed any row."""
    kind, stored = union.kind, union.stored
    upsert = Upsert.of(kind)
    counts = KindCounts(
        pages=union.pages,
        seen=len(union.listed),
        unparsed=len(union.unparsed),
        ignored=union.ignored,
    )
    written: set[int] = set()
    for spool in union.spools:
        for rows in spool:
            page = []
            for row in rows:
                key = upsert.key_of(row)
                mask = union.mask(key, live)
                if key in written or not mask:
                    continue
                written.add(key)
                page.append(upsert.seen_by(row, mask))
                if key in stored.fingerprints:
                    counts.updated += 1
                else:
                    counts.created += 1
            upsert.run(page)
    counts.unchanged = counts.seen - counts.created - counts.updated
    moved: dict[int, list[int]] = defaultdict(list)
    gone = []
    for key, old in stored.masks.items():
        if key in written:
            continue
        new = union.mask(key, live)
        if not new:
            gone.append(key)
        elif new != old:
            moved[new].append(key)
    counts.deleted = sum(
        rows.delete()[0] for rows in _batches(kind, workspace, sorted(gone))
    )
    for mask, keys in moved.items():
        for rows in _batches(kind, workspace, keys):
            rows.update(seen_by=mask)
    changed = bool(counts.created or counts.updated or counts.deleted or moved)
    if kind.after_apply is not None:
        changed |= bool(kind.after_apply(workspace, timezone.now()))
    return counts, changed


def _batches(kind: Kind, workspace: Workspace, keys: list) -> Iterator[QuerySet]:
    for start in range(0, len(keys), BATCH_SIZE):
        yield kind.model.objects.filter(
            workspace=workspace, **{f"{kind.key}__in": keys[start : start + BATCH_SIZE]}
        )
