"""Database aggregates behind the portal's totals and charts: data, not pictures.

Every number is computed by the database (COUNT with FILTER, GROUP BY, the
hour truncated in the viewer's timezone); nothing here loops over schedule
rows, so a page costs the same few queries with 10 or 100,000 schedules. The
per-workspace summary reads every count the cards, totals and the task and
trigger charts need in one pass (an index-only scan on PostgreSQL, see the
`schedule_summary` index); summing its rows (one per workspace) is all Python
does. Which schedules a user may count is `workspaces.access.scope`'s to say.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncHour
from django.utils import timezone

from schedules.models import Schedule, SyncRun, TaskKind, TriggerKind

TOTALS = ("schedules", "enabled", "owner_disabled", "next_24h")
# The kind columns the summary counts per value, with their choices.
KIND_COLUMNS = {"task": TaskKind, "trigger": TriggerKind}
DAYS_IN_WEEK = 7


def _count(**conditions) -> Count:
    # Counts a column the covering indexes hold (never null), not the id:
    # PostgreSQL then answers from the index alone.
    return Count("workspace", filter=Q(**conditions) if conditions else None)


def latest_sync_run(**filters) -> Subquery:
    """The id of a workspace's newest sync run matching `filters`, for an
    annotation of workspaces (the `syncrun_ws_recent` index)."""
    runs = SyncRun.objects.filter(workspace=OuterRef("pk"), **filters)
    return Subquery(runs.order_by("-queued_at", "-id").values("id")[:1])


@dataclass
class Summary:
    """Counts per workspace: totals, and per task kind and trigger kind."""

    by_workspace: dict[int, dict[str, int]]

    def total(self, key: str) -> int:
        return sum(counts[key] for counts in self.by_workspace.values())

    @property
    def totals(self) -> dict[str, int]:
        totals = {key: self.total(key) for key in TOTALS}
        totals["disabled"] = totals["schedules"] - totals["enabled"]
        return totals

    def schedules_of(self, workspace_id: int) -> int:
        return self.by_workspace.get(workspace_id, {}).get("schedules", 0)


def summarise(schedules: QuerySet[Schedule], *, now: datetime) -> Summary:
    """One query, one row per workspace."""
    counts = {
        "schedules": _count(),
        "enabled": _count(enabled=True),
        "owner_disabled": _count(owner_disabled=True),
        "next_24h": _count(
            enabled=True, next_run_at__gte=now, next_run_at__lt=now + timedelta(1)
        ),
    }
    for key, choices in KIND_COLUMNS.items():
        column = f"{key}_kind"
        counts |= {f"{key}_{kind}": _count(**{column: kind}) for kind in choices.values}
    # Aliases must not shadow the fields the filters name ("enabled").
    rows = (
        schedules.order_by()
        .values_list("workspace_id")
        .annotate(**{f"n_{key}": count for key, count in counts.items()})
    )
    return Summary(
        by_workspace={row[0]: dict(zip(counts, row[1:], strict=True)) for row in rows}
    )


@dataclass(frozen=True)
class OwnerCount:
    email: str
    name: str
    schedules: int


def top_owners(schedules: QuerySet[Schedule], *, limit: int) -> list[OwnerCount]:
    """The owners with the most schedules, by e-mail (the stable key)."""
    rows = (
        schedules.order_by()
        .values("owner_email")
        .annotate(n=_count(), name=Max("owner_name"))
        .order_by("-n", "owner_email")[:limit]
    )
    return [OwnerCount(row["owner_email"], row["name"] or "", row["n"]) for row in rows]


def kind_counts(summary: Summary, key: str) -> dict:
    """Schedules per value of a kind column ("task" or "trigger"), zeros left out."""
    counts = {kind: summary.total(f"{key}_{kind.value}") for kind in KIND_COLUMNS[key]}
    return {kind: n for kind, n in counts.items() if n}


def upcoming_by_hour(
    schedules: QuerySet[Schedule], *, now: datetime, days: int, tz: tzinfo
) -> list[list[int]]:
    """Next runs of enabled schedules in the coming `days`, per weekday and hour (`tz`).

    The database counts per local hour (at most 24 x days + 1 rows, a DST
    change included); weekday (0 = Monday) and hour are read off those. The
    cache holds each schedule's next run only, so an hourly schedule counts
    once: this says when the next runs fall, not every future run.
    """
    rows = (
        schedules.filter(
            enabled=True,
            next_run_at__gte=now,
            next_run_at__lt=now + timedelta(days=days),
        )
        .order_by()
        .values_list(TruncHour("next_run_at", tzinfo=tz))
        .annotate(n=_count())
    )
    grid = [[0] * 24 for _ in range(DAYS_IN_WEEK)]
    for hour, n in rows:
        local = timezone.localtime(hour, tz)
        grid[local.weekday()][local.hour] += n
    return grid
