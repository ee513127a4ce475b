"""The charts of the runs page: runs per day by status, failure rate by workspace.

Both read the hourly counts (`schedules.assets.queries`), which count runs
by workspace and status alone: they follow the runs table's workspace and
status filters, not its kind, start or date range (the page says so), and
link their table fallback to the runs table filtered to what a row counts.
"""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from pages.charts import TOP, Chart
from pages.runs import local_input, runs_url
from schedules.assets.models import RunHour, RunStatus
from schedules.assets.queries import failure_rates, runs_per_day

DAYS = 30
# Each status in the colour people expect of it.
STATUS_COLOURS = {
    RunStatus.COMPLETE: "#0e9f6e",
    RunStatus.FAILED: "#dc2626",
    RunStatus.CANCELED: "#6b7280",
    RunStatus.IN_PROGRESS: "#2563eb",
    RunStatus.CREATED: "#93c5fd",
}


def hour_filters(
    hours: QuerySet[RunHour], filters: dict, *, by_status: bool = True
) -> QuerySet[RunHour]:
    """The runs table's filters that the hourly counts follow: the workspace,
    and the status unless `by_status` is False (a rate needs every status)."""
    if "workspace" in filters:
        hours = hours.filter(workspace_id=filters["workspace"])
    if by_status and "status" in filters:
        hours = hours.filter(status=filters["status"])
    return hours


# The runs table's filters the charts do not follow.
UNFOLLOWED = ("kind", "ranfrom", "start", "end")


def run_charts(hours: QuerySet[RunHour], filters: dict, *, now, names) -> list[Chart]:
    """The runs page's charts, following the table's `filters`."""
    return [
        runs_per_day_chart(hour_filters(hours, filters), now=now),
        failure_rate_chart(
            hour_filters(hours, filters, by_status=False), now=now, names=names
        ),
    ]


def runs_per_day_chart(hours: QuerySet[RunHour], *, now: datetime) -> Chart:
    tz = timezone.get_current_timezone()
    days, series = runs_per_day(hours, days=DAYS, now=now, tz=tz)
    chart = Chart(
        key="runs-per-day",
        title=f"Runs per day by status, last {DAYS} days ({tz})",
        x_label=f"Day of creation ({tz})",
        y_label="Runs",
        labels=[day.strftime("%a %d %b") for day in days],
        kind="stacked",
        wide=True,
        links=[
            runs_url(
                start=day.isoformat() + "T00:00",
                end=(day + timedelta(days=1)).isoformat() + "T00:00",
            )
            for day in days
        ],
    )
    for status, values in series.items():
        chart.add(RunStatus(status).label, values, colour=STATUS_COLOURS[status])
    return chart


def failure_rate_chart(
    hours: QuerySet[RunHour], *, now: datetime, names: dict[int, str]
) -> Chart:
    """Failed among finished runs per workspace (`names`: id -> name), the
    highest rate first (top 15)."""
    since = now - timedelta(days=DAYS)
    rates = [r for r in failure_rates(hours, since=since) if r.workspace_id in names]
    top = rates[:TOP]
    chart = Chart(
        key="failure-rate",
        title=f"Failure rate by workspace, last {DAYS} days (% of finished runs)",
        x_label="Failed, % of finished runs",
        y_label="Workspace",
        labels=[
            f"{names[r.workspace_id]} ({r.failed:,} of {r.finished:,})" for r in top
        ],
        kind="hbar",
        links=[
            runs_url(
                workspace=r.workspace_id,
                status=RunStatus.FAILED,
                start=local_input(since),
            )
            for r in top
        ],
    )
    rates = [round(r.percent, 1) for r in top]
    return chart.add("Failure rate (%)", rates, colour=STATUS_COLOURS[RunStatus.FAILED])
