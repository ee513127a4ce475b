"""Numbers about assets and runs for the pages: data, never URLs or charts.

Counts over periods read the hourly counts (`RunHour`), a few thousand rows
whatever the history's size; lists of runs read the runs through the indexes
their models name. Which rows a user may count is `workspaces.access.scope`'s
to say: every function takes querysets already scoped.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import Count, Q, QuerySet, Sum

from schedules.assets.models import FINISHED, Run, RunHour, RunStatus
from schedules.models import Person, Schedule

# The statuses the charts show, in their order.
CHART_STATUSES = (
    RunStatus.COMPLETE,
    RunStatus.FAILED,
    RunStatus.CANCELED,
    RunStatus.IN_PROGRESS,
    RunStatus.CREATED,
)


def failed_since(runs: QuerySet[Run], *, since: datetime) -> dict[int, int]:
    """Failed runs created since `since`, per workspace (the `run_failed_created`
    index)."""
    rows = (
        runs.filter(status=RunStatus.FAILED, aac_created_at__gte=since)
        .order_by()
        .values_list("workspace_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def runs_per_day(
    hours: QuerySet[RunHour], *, days: int, now: datetime, tz: tzinfo
) -> tuple[list[date], dict[str, list[int]]]:
    """Runs per day of the last `days` (`tz`'s days) by status: the days, and
    one count a day for each status in CHART_STATUSES."""
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    # Grouped by hour as stored, not by a function of each row (on SQLite a
    # Python call a row): a few thousand hours, put in their days here.
    rows = (
        hours.filter(hour__gte=start)
        .order_by()
        .values_list("hour", "status")
        .annotate(n=Sum("runs"))
    )
    labels = [first + timedelta(days=i) for i in range(days)]
    series = {status: [0] * days for status in CHART_STATUSES}
    for hour, status, n in rows:
        index = (hour.astimezone(tz).date() - first).days
        if 0 <= index < days and status in series:
            series[status][index] += n
    return labels, series


@dataclass(frozen=True)
class FailureRate:
    workspace_id: int
    finished: int
    failed: int

    @property
    def percent(self) -> float:
        return 100 * self.failed / self.finished if self.finished else 0.0


def failure_rates(hours: QuerySet[RunHour], *, since: datetime) -> list[FailureRate]:
    """Failed among finished runs created since `since`, per workspace, the
    highest rate first."""
    rows = (
        hours.filter(hour__gte=since, status__in=FINISHED)
        .order_by()
        .values_list("workspace_id")
        .annotate(
            finished=Sum("runs"),
            failed=Sum("runs", filter=Q(status=RunStatus.FAILED)),
        )
    )
    rates = [FailureRate(ws, finished, failed or 0) for ws, finished, failed in rows]
    return sorted(rates, key=lambda rate: (-rate.percent, rate.workspace_id))


@dataclass(frozen=True)
class RunSummary:
    """How the runs of a schedule or an asset went over a period."""

    by_status: dict[str, int]

    @property
    def finished(self) -> int:
        return sum(self.by_status.get(status, 0) for status in FINISHED)

    @property
    def complete(self) -> int:
        return self.by_status.get(RunStatus.COMPLETE, 0)

    @property
    def failed(self) -> int:
        return self.by_status.get(RunStatus.FAILED, 0)

    @property
    def success_rate(self) -> float | None:
        """Complete among finished, in percent; None when none finished."""
        return 100 * self.complete / self.finished if self.finished else None


def summarise_runs(runs: QuerySet[Run], *, since: datetime) -> RunSummary:
    rows = (
        runs.filter(aac_created_at__gte=since)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return RunSummary(by_status=dict(rows))


def schedules_running(
    kind: str, assets: list[tuple[int, str]]
) -> dict[tuple[int, str], list[Schedule]]:
    """The schedules whose task runs each of `assets` ((workspace id, AAC id)
    pairs of one kind), by pair: one query (the `schedule_target` index)."""
    if not assets:
        return {}
    condition = Q()
    for workspace_id, aac_id in assets:
        condition |= Q(workspace_id=workspace_id, target_id=aac_id)
    schedules = (
        Schedule.objects.filter(condition, task_kind=kind)
        .only("workspace_id", "aac_id", "name", "enabled", "target_id")
        .order_by("name", "aac_id")
    )
    found = defaultdict(list)
    for schedule in schedules:
        found[(schedule.workspace_id, schedule.target_id)].append(schedule)
    return found


def people(pairs: set[tuple[int, int | None]]) -> dict[tuple[int, int], Person]:
    """The people of (workspace id, AAC person id) pairs, in one query (the
    unique key). Someone the people list does not hold is known by id alone:
    an unsaved `Person` that says so."""
    pairs = {pair for pair in pairs if pair[1] is not None}
    if not pairs:
        return {}
    found = Person.objects.filter(
        workspace_id__in={ws for ws, _ in pairs},
        aac_id__in={person for _, person in pairs},
    ).only("workspace_id", "aac_id", "name", "email", "disabled")
    known = {(p.workspace_id, p.aac_id): p for p in found}
    return {
        pair: known.get(pair) or Person(workspace_id=pair[0], aac_id=pair[1])
        for pair in pairs
    }
