"""The dashboard's counts, kept per workspace by the sync instead of counted per load.

`record` counts one workspace's cached schedules (three grouped queries over
its rows alone) into its `WorkspaceSummary`, and moves `AllWorkspaces`, the
sum over every workspace, by the difference; callers run it inside the
transaction that changed the rows (`schedules.sync.apply`, removing a
connection), so a summary never disagrees with the cache a page shows. A
failed or partial, not applied, sync changes neither. `overview` reads them
back for the workspaces a viewer sees: their counts (one small row each), and
the owners and next runs from the one `AllWorkspaces` row when the viewer sees
every workspace, else added up from their rows.

Next runs are kept per quarter hour of UTC (exact for every timezone's
hours), for HORIZON from the sync; a reader counts those from the quarter
hour it is in, so a next run earlier in that quarter hour still counts, as
does the cache's next run of a schedule whose run has passed since its sync
(the beat's next sync moves it on).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from schedules.coverage import owner_rows
from schedules.load import DAYS, SLOTS_PER_DAY, Load, upcoming_load
from schedules.models import AllWorkspaces, Schedule, WorkspaceSummary
from schedules.queries import OwnerCount, Summary, summarise
from workspaces.models import Workspace

SLOT = timedelta(minutes=15)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A week from any moment until the next sync, with a day to spare.
HORIZON = timedelta(days=DAYS + 1)
# The fields counted per quarter hour, pruned as time passes.
SLOTTED = ("next_runs", "runs")
# A sync that changed no row leaves a summary younger than this as it is.
FRESH = timedelta(hours=1)
# Counts of `summarise` that depend on the moment of reading: from `next_runs`.
NEXT_24H = "next_24h"


def slot_of(at: datetime) -> int:
    """The quarter hour of UTC `at` falls in, numbered from the epoch."""
    return (at - EPOCH) // SLOT


def slot_start(slot: int) -> datetime:
    return EPOCH + slot * SLOT


def counted(schedules: QuerySet[Schedule], workspace_id: int, *, now: datetime) -> dict:
    """The summary fields of one workspace's `schedules`, counted at `now`."""
    counts = summarise(schedules, now=now).by_workspace.get(workspace_id, {})
    counts.pop(NEXT_24H, None)
    owners: dict[str, dict[str, int]] = {}
    by_owner = (
        schedules.order_by()
        .values_list("owner_email", "owner_name")
        .annotate(n=Count("workspace"))
    )
    for email, name, n in by_owner:
        owners.setdefault(email, {})[name] = n
    first = slot_start(slot_of(now))
    upcoming = (
        schedules.filter(
            enabled=True, next_run_at__gte=first, next_run_at__lt=first + HORIZON
        )
        .order_by()
        .values_list("next_run_at")
        .annotate(n=Count("workspace"))
    )
    next_runs: Counter = Counter()
    for at, n in upcoming:
        next_runs[str(slot_of(at))] += n
    load = upcoming_load(schedules, now=now, days=HORIZON.days)
    start = slot_of(load.start)
    runs = {str(start + i): n for i, n in enumerate(load.slots) if n}
    return {
        "counts": counts,
        "owners": owners,
        "next_runs": dict(next_runs),
        "runs": runs,
    }


def record(workspace_id: int, *, now: datetime | None = None) -> WorkspaceSummary:
    """Count the workspace's cached schedules into its summary, and the sum of
    every workspace with it. Run it inside the transaction that changed them
    (it opens one of its own otherwise)."""
    now = now or timezone.now()
    with transaction.atomic():
        return _record(workspace_id, now)


def _record(workspace_id: int, now: datetime) -> WorkspaceSummary:
    total = _locked_total(now)
    consistent = _holds_every_summary(total)
    old = WorkspaceSummary.objects.filter(pk=workspace_id).first()
    schedules = Schedule.objects.filter(workspace_id=workspace_id)
    fields = counted(schedules, workspace_id, now=now)
    new = WorkspaceSummary(
        workspace_id=workspace_id,
        as_of=now,
        schedules=fields["counts"].get("schedules", 0),
        owner_rows=owner_rows([workspace_id]).get(workspace_id, []),
        **fields,
    )
    new.save()
    if not consistent:
        _rebuild(total, now)
        return new
    if old is None:
        total.members += 1
        total.member_ids += workspace_id
    else:
        _move(total, old, -1)
    _move(total, new, 1)
    _prune(total, now)
    total.as_of = now
    total.save()
    return new


def summarise_missing(using: str = "default", **kwargs) -> None:
    """After `migrate`: a summary for each workspace that has none (the caches
    there before summaries existed), not at its next sync.

    Run once every migration is applied, with the app's own models; a data
    migration could not call this code, which follows the latest models.
    """
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # migrated part way (to an older state): the full migrate does it
    missing = Workspace.objects.using(using).filter(summary__isnull=True)
    for pk in missing.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic(using=using):
            record(pk)


def stale(workspace_id: int, *, now: datetime | None = None) -> bool:
    """Whether a sync that changed no row still counts the summary again: when
    it is missing or older than FRESH (so the week it counted stays a week),
    or the total still holds a deleted workspace."""
    now = now or timezone.now()
    summary = WorkspaceSummary.objects.filter(pk=workspace_id).only("as_of").first()
    if summary is None or summary.as_of < now - FRESH:
        return True
    total = AllWorkspaces.objects.filter(pk=AllWorkspaces.ONLY).first()
    return total is None or not _holds_every_summary(total)


def _holds_every_summary(total: AllWorkspaces) -> bool:
    """Whether `total` adds up the workspaces that have a summary (no deleted
    one among them)."""
    members = WorkspaceSummary.objects.aggregate(n=Count("pk"), ids=Sum("pk"))
    return (members["n"], members["ids"] or 0) == (total.members, total.member_ids)


def _locked_total(now: datetime) -> AllWorkspaces:
    # The row is created once; every writer then waits for the one before it.
    AllWorkspaces.objects.get_or_create(pk=AllWorkspaces.ONLY, defaults={"as_of": now})
    return AllWorkspaces.objects.select_for_update().get(pk=AllWorkspaces.ONLY)


def _move(total: AllWorkspaces, summary: WorkspaceSummary, sign: int) -> None:
    """Add (1) or take away (-1) one workspace's summary from the total."""
    total.counts = _added(total.counts, summary.counts, sign)
    owners = dict(total.owners)
    for email, names in summary.owners.items():
        owners[email] = _added(owners.get(email, {}), names, sign)
        if not owners[email]:
            del owners[email]
    total.owners = owners
    for field in SLOTTED:
        ours, theirs = getattr(total, field), getattr(summary, field)
        if sign < 0:  # slots pruned from the total are not taken away again
            theirs = {slot: n for slot, n in theirs.items() if slot in ours}
        setattr(total, field, _added(ours, theirs, sign))


def _added(into: dict, more: dict, sign: int) -> dict:
    """`into` + sign x `more`, key by key, without zeros."""
    result = dict(into)
    for key, n in more.items():
        result[key] = result.get(key, 0) + sign * n
        if not result[key]:
            del result[key]
    return result


def _prune(total: AllWorkspaces, now: datetime) -> None:
    first = slot_of(now)
    for field in SLOTTED:
        slots = getattr(total, field)
        setattr(total, field, {s: n for s, n in slots.items() if int(s) >= first})


def _rebuild(total: AllWorkspaces, now: datetime) -> None:
    """The total added up again from every workspace's summary (after a
    workspace was deleted, its summary with it)."""
    total.counts, total.owners, total.next_runs, total.runs = {}, {}, {}, {}
    total.members = total.member_ids = 0
    for summary in WorkspaceSummary.objects.iterator(chunk_size=200):
        _move(total, summary, 1)
        total.members += 1
        total.member_ids += summary.workspace_id
    _prune(total, now)
    total.as_of = now
    total.save()


@dataclass
class Overview:
    """What the dashboard shows of the visible workspaces' schedules."""

    # Per-workspace counts; NEXT_24H only for the workspaces asked in detail.
    summary: Summary
    totals: dict[str, int]
    owners: list[OwnerCount]
    # Every run of the coming week (`schedules.load`), from the quarter hour
    # of reading (each sync counts a day more than a week).
    load: Load


def overview(
    workspace_ids: list[int], *, now: datetime, every: bool, detailed: set[int]
) -> Overview:
    """The summaries of `workspace_ids` read back at `now`.

    `every`: the viewer sees every workspace, so the owners and next runs
    come from the `AllWorkspaces` row (unless a deleted workspace still
    weighs on it). `detailed`: the workspaces whose NEXT_24H is counted.
    """
    # Every workspace's summary needs no list of their ids.
    rows = WorkspaceSummary.objects.all()
    if not every:
        rows = rows.filter(pk__in=workspace_ids)
    by_workspace = dict(rows.values_list("pk", "counts"))
    total = (
        AllWorkspaces.objects.filter(pk=AllWorkspaces.ONLY).first() if every else None
    )
    if total is not None and (total.members, total.member_ids) != (
        len(by_workspace),
        sum(by_workspace),
    ):
        total = None
    first = slot_of(now)
    day = range(first, first + SLOTS_PER_DAY)
    sums = None
    if total is None:
        total = AllWorkspaces(as_of=now)
        for summary in rows.only("workspace", "counts", "owners", *SLOTTED):
            _move(total, summary, 1)
    else:
        sums = dict(total.counts)
    detailed_rows = WorkspaceSummary.objects.filter(pk__in=detailed)
    for pk, slots in detailed_rows.values_list("pk", "next_runs"):
        by_workspace[pk][NEXT_24H] = sum(n for s, n in slots.items() if int(s) in day)
    for counts in by_workspace.values():
        counts.setdefault(NEXT_24H, 0)
    summary = Summary(by_workspace=by_workspace, sums=sums)
    totals = summary.totals
    totals[NEXT_24H] = sum(n for s, n in total.next_runs.items() if int(s) in day)
    week = range(first, first + DAYS * SLOTS_PER_DAY)
    slots = tuple(total.runs.get(str(slot), 0) for slot in week)
    return Overview(
        summary=summary,
        totals=totals,
        owners=_ranked(total.owners),
        load=Load(slot_start(first), slots),
    )


def coverage_rows(workspace_ids: list[int]) -> dict[int, list[tuple[int, str, int]]]:
    """The `owner_rows` of the workspaces, as their last sync counted them."""
    rows = WorkspaceSummary.objects.filter(pk__in=workspace_ids)
    return {
        pk: [tuple(row) for row in found]
        for pk, found in rows.values_list("pk", "owner_rows")
    }


def _ranked(owners: dict[str, dict[str, int]]) -> list[OwnerCount]:
    """Owners by schedules, most first, then by e-mail; each one's name the
    greatest of those its schedules give (as `top_owners`' MAX)."""
    ranked = [
        OwnerCount(email, max(names), sum(names.values()))
        for email, names in owners.items()
    ]
    return sorted(ranked, key=lambda owner: (-owner.schedules, owner.email))
