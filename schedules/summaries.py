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
from datetime import UTC, datetime, timedelta, tzinfo

from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from schedules.load import DAYS, upcoming_load
from schedules.models import AllWorkspaces, Schedule, WorkspaceSummary
from schedules.queries import OwnerCount, Summary, summarise
from workspaces.models import Workspace

SLOT = timedelta(minutes=15)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A week from any moment until the next sync, with a day to spare.
HORIZON = timedelta(days=DAYS + 1)
# Counts of `summarise` that depend on the moment of reading: from `next_runs`.
NEXT_24H = "next_24h"
# The fields counted per quarter hour, pruned as time passes.
SLOTTED = ("next_runs", "runs")


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
    every workspace with it. Run it inside the transaction that changed them."""
    now = now or timezone.now()
    total = _locked_total(now)
    members = WorkspaceSummary.objects.aggregate(n=Count("pk"), ids=Sum("pk"))
    consistent = (members["n"], members["ids"] or 0) == (
        total.members,
        total.member_ids,
    )
    old = WorkspaceSummary.objects.filter(pk=workspace_id).first()
    schedules = Schedule.objects.filter(workspace_id=workspace_id)
    fields = counted(schedules, workspace_id, now=now)
    new = WorkspaceSummary(
        workspace_id=workspace_id,
        as_of=now,
        schedules=fields["counts"].get("schedules", 0),
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
    # Next runs and every run per quarter hour (numbered from the epoch), from
    # the one `now` is in, for a week.
    next_runs: dict[int, int]
    runs: dict[int, int]

    def top_owners(self, limit: int) -> list[OwnerCount]:
        return self.owners[:limit]

    def weekly_grid(self, tz: tzinfo) -> list[list[int]]:
        """Every run per weekday (0 = Monday) and hour, on `tz`'s clock."""
        grid = [[0] * 24 for _ in range(DAYS)]
        for slot, n in self.runs.items():
            local = timezone.localtime(slot_start(slot), tz)
            grid[local.weekday()][local.hour] += n
        return grid


def overview(
    workspace_ids: list[int], *, now: datetime, every: bool, detailed: set[int]
) -> Overview:
    """The summaries of `workspace_ids` read back at `now`.

    `every`: the viewer sees every workspace, so the owners and next runs
    come from the `AllWorkspaces` row (unless a deleted workspace still
    weighs on it). `detailed`: the workspaces whose NEXT_24H is counted.
    """
    rows = WorkspaceSummary.objects.filter(pk__in=workspace_ids)
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
    window = range(first, first + DAYS * 24 * 4)
    if total is None:
        total = AllWorkspaces(as_of=now)
        for summary in rows.only("workspace", "counts", "owners", *SLOTTED):
            _move(total, summary, 1)
    next_runs, runs = (
        {int(s): n for s, n in slots.items() if int(s) in window and n}
        for slots in (total.next_runs, total.runs)
    )
    for pk, slots in rows.filter(pk__in=detailed).values_list("pk", "next_runs"):
        day = range(first, first + 24 * 4)
        by_workspace[pk][NEXT_24H] = sum(n for s, n in slots.items() if int(s) in day)
    for counts in by_workspace.values():
        counts.setdefault(NEXT_24H, 0)
    summary = Summary(by_workspace=by_workspace)
    totals = summary.totals
    day = range(first, first + 24 * 4)
    totals[NEXT_24H] = sum(n for s, n in next_runs.items() if s in day)
    return Overview(
        summary=summary,
        totals=totals,
        owners=_ranked(total.owners),
        next_runs=next_runs,
        runs=runs,
    )


def _ranked(owners: dict[str, dict[str, int]]) -> list[OwnerCount]:
    """Owners by schedules, most first, then by e-mail; each one's name the
    greatest of those its schedules give (as `top_owners`' MAX)."""
    ranked = [
        OwnerCount(email, max(names), sum(names.values()))
        for email, names in owners.items()
    ]
    return sorted(ranked, key=lambda owner: (-owner.schedules, owner.email))
