"""Database aggregates behind the portal's totals and charts.

Every number is computed by the database (COUNT with FILTER, GROUP BY, the
hour truncated in the viewer's timezone); nothing here loops over schedule
rows, so a page costs the same few queries with 10 or 100,000 schedules. The
per-workspace summary reads every count the cards, totals and the task and
trigger charts need in one pass (an index-only scan on PostgreSQL, see the
`schedule_summary` index); summing its rows (one per workspace) is all Python does.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils import timezone

from schedules.models import Schedule, TaskKind, TriggerKind
from workspaces.models import Workspace

TOP = 15
UPCOMING_DAYS = 7
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TOTALS = ("schedules", "enabled", "owner_disabled", "next_24h")


def visible_schedules(user) -> QuerySet[Schedule]:
    """The schedules of every workspace the user may see: the one read scope.

    When `visible_to` lets the user see every workspace (a superuser), the
    filter is left out: it would hold for every row, yet cost each aggregate
    a join over all of them.
    """
    workspaces = Workspace.objects.visible_to(user)
    if not workspaces.query.has_filters():
        return Schedule.objects.all()
    return Schedule.objects.filter(workspace__in=workspaces)


def _count(**conditions) -> Count:
    # Counts a column the covering indexes hold (never null), not the id:
    # PostgreSQL then answers from the index alone.
    return Count("workspace", filter=Q(**conditions) if conditions else None)


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
    for key, (choices, _) in KIND_CHARTS.items():
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


@dataclass
class Chart:
    """What charts.js draws and the fallback table shows, passed by json_script."""

    key: str
    title: str
    x_label: str
    y_label: str
    labels: list[str]
    series: list[dict] = field(default_factory=list)
    kind: str = "bar"  # "bar", "hbar" (horizontal) or "stacked"
    wide: bool = False  # spans the whole row of charts
    links: list[str] = field(default_factory=list)  # table fallback hrefs, optional

    def add(self, name: str, values: list[int]) -> "Chart":
        self.series.append({"name": name, "values": values})
        return self

    @property
    def json_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def data(self) -> dict:
        return {
            "title": self.title,
            "kind": self.kind,
            "xLabel": self.x_label,
            "yLabel": self.y_label,
            "labels": self.labels,
            "series": self.series,
        }

    @property
    def rows(self) -> list[tuple[str, str, list[int]]]:
        """(label, link, one value per series) for the table fallback."""
        links = self.links or [""] * len(self.labels)
        columns = [s["values"] for s in self.series]
        return [
            (label, link, [values[i] for values in columns])
            for i, (label, link) in enumerate(zip(self.labels, links, strict=True))
        ]

    @property
    def empty(self) -> bool:
        return not any(any(s["values"]) for s in self.series)


def _top_with_others(pairs: list[tuple[str, int]], total: int) -> tuple[list, list]:
    labels = [label for label, _ in pairs]
    values = [n for _, n in pairs]
    others = total - sum(values)
    if others > 0:
        labels.append("others")
        values.append(others)
    return labels, values


def owner_chart(schedules: QuerySet[Schedule], *, total: int, scope: dict) -> Chart:
    """Top owners by e-mail (the stable key), labelled with their name.

    `scope` holds the table filters of the page (e.g. its workspace), so the
    fallback table links to that owner's schedules within it.
    """
    top = list(
        schedules.order_by()
        .values("owner_email")
        .annotate(n=_count(), name=Max("owner_name"))
        .order_by("-n", "owner_email")[:TOP]
    )
    pairs = [
        (row["name"] or row["owner_email"] or "(no owner)", row["n"]) for row in top
    ]
    labels, values = _top_with_others(pairs, total)
    links = [
        table_url(**scope, owner=row["owner_email"]) if row["owner_email"] else ""
        for row in top
    ]
    chart = Chart(
        key="owner",
        title=f"Schedules by owner (top {TOP})",
        x_label="Schedules",
        y_label="Owner",
        labels=labels,
        kind="hbar",
        links=links + [""] * (len(labels) - len(top)),
    )
    return chart.add("Schedules", values)


def table_url(**params) -> str:
    return f"{reverse('schedules')}?{urlencode(params)}"


# The charts of a kind column, counted by the summary: (choices, axis label).
KIND_CHARTS = {
    "task": (TaskKind, "Task type"),
    "trigger": (TriggerKind, "Trigger kind"),
}


def kind_chart(summary: Summary, key: str) -> Chart:
    """Schedules per task type or trigger kind; kinds with none are left out."""
    choices, label = KIND_CHARTS[key]
    counts = {kind: summary.total(f"{key}_{kind.value}") for kind in choices}
    kinds = [kind for kind, n in counts.items() if n]
    chart = Chart(
        key=key,
        title=f"Schedules by {label.lower()}",
        x_label=label,
        y_label="Schedules",
        labels=[kind.label for kind in kinds],
    )
    return chart.add("Schedules", [counts[kind] for kind in kinds])


def workspace_chart(workspaces: list[Workspace], summary: Summary) -> Chart:
    ranked = sorted(workspaces, key=lambda ws: (-summary.schedules_of(ws.pk), ws.name))
    pairs = [(ws.name, summary.schedules_of(ws.pk)) for ws in ranked[:TOP]]
    labels, values = _top_with_others(pairs, summary.total("schedules"))
    links = [ws.get_absolute_url() for ws in ranked[:TOP]]
    chart = Chart(
        key="workspace",
        title="Schedules by workspace",
        x_label="Schedules",
        y_label="Workspace",
        labels=labels,
        kind="hbar",
        links=links + [""] * (len(labels) - len(links)),
    )
    return chart.add("Schedules", values)


def upcoming_chart(
    schedules: QuerySet[Schedule], *, now: datetime, wide: bool = False
) -> Chart:
    """Next runs in the coming week by weekday and hour, in the viewer's timezone.

    The database counts per local hour (at most 169 rows, a DST change
    included); weekday and hour are read off those. The cache holds each
    schedule's next run only, so an hourly schedule counts once: the chart
    shows when the next runs fall, not every future run.
    """
    tz = timezone.get_current_timezone()
    rows = (
        schedules.filter(
            enabled=True,
            next_run_at__gte=now,
            next_run_at__lt=now + timedelta(days=UPCOMING_DAYS),
        )
        .order_by()
        .values_list(TruncHour("next_run_at", tzinfo=tz))
        .annotate(n=_count())
    )
    grid = [[0] * 24 for _ in WEEKDAYS]
    for hour, n in rows:
        local = timezone.localtime(hour, tz)
        grid[local.weekday()][local.hour] += n
    chart = Chart(
        key="upcoming",
        title=f"Next runs in the coming {UPCOMING_DAYS} days ({tz})",
        x_label=f"Hour of day ({tz})",
        y_label="Next runs",
        labels=[f"{hour:02d}:00" for hour in range(24)],
        kind="stacked",
        wide=wide,
    )
    for name, values in zip(WEEKDAYS, grid, strict=True):
        chart.add(name, values)
    return chart
