"""Database aggregates behind the portal's totals and charts.

Every number is computed by the database (COUNT with FILTER, GROUP BY, Extract*
in the viewer's timezone); nothing here loops over schedule rows, so a page
costs the same few queries with 10 or 100,000 schedules.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.urls import reverse
from django.utils import timezone

from schedules.models import Schedule, TaskKind, TriggerKind
from workspaces.models import Workspace

TOP = 15
UPCOMING_DAYS = 7
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def visible_schedules(user) -> QuerySet[Schedule]:
    """The schedules of every workspace the user may see: the one read scope."""
    return Schedule.objects.filter(workspace__in=Workspace.objects.visible_to(user))


def totals(schedules: QuerySet[Schedule], *, now: datetime) -> dict[str, int]:
    soon = Q(enabled=True, next_run_at__gte=now, next_run_at__lt=now + timedelta(1))
    counts = schedules.aggregate(
        n_all=Count("id"),
        n_enabled=Count("id", filter=Q(enabled=True)),
        n_disabled=Count("id", filter=Q(enabled=False)),
        n_owner_disabled=Count("id", filter=Q(owner_disabled=True)),
        n_next_24h=Count("id", filter=soon),
    )
    return {
        "schedules": counts["n_all"],
        "enabled": counts["n_enabled"],
        "disabled": counts["n_disabled"],
        "owner_disabled": counts["n_owner_disabled"],
        "next_24h": counts["n_next_24h"],
    }


def counts_by_workspace(schedules: QuerySet[Schedule]) -> dict[int, int]:
    rows = schedules.order_by().values_list("workspace_id").annotate(n=Count("id"))
    return dict(rows)


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
        .annotate(n=Count("id"), name=Max("owner_name"))
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


def _choice_chart(
    schedules: QuerySet[Schedule], *, field_name: str, choices, **chart
) -> Chart:
    counts = dict(schedules.order_by().values_list(field_name).annotate(n=Count("id")))
    kinds = [kind for kind in choices if counts.get(kind.value)]
    return Chart(labels=[kind.label for kind in kinds], **chart).add(
        "Schedules", [counts[kind.value] for kind in kinds]
    )


def task_chart(schedules: QuerySet[Schedule]) -> Chart:
    return _choice_chart(
        schedules,
        field_name="task_kind",
        choices=TaskKind,
        key="task",
        title="Schedules by task type",
        x_label="Task type",
        y_label="Schedules",
    )


def trigger_chart(schedules: QuerySet[Schedule]) -> Chart:
    return _choice_chart(
        schedules,
        field_name="trigger_kind",
        choices=TriggerKind,
        key="trigger",
        title="Schedules by trigger kind",
        x_label="Trigger kind",
        y_label="Schedules",
    )


def workspace_chart(
    workspaces: list[Workspace], counts: dict[int, int], *, total: int
) -> Chart:
    """From `counts_by_workspace`, already fetched for the cards."""
    ranked = sorted(workspaces, key=lambda ws: (-counts.get(ws.pk, 0), ws.name))[:TOP]
    pairs = [(ws.name, counts.get(ws.pk, 0)) for ws in ranked]
    labels, values = _top_with_others(pairs, total)
    links = [ws.get_absolute_url() for ws in ranked] + [""] * (
        len(labels) - len(ranked)
    )
    chart = Chart(
        key="workspace",
        title="Schedules by workspace",
        x_label="Schedules",
        y_label="Workspace",
        labels=labels,
        kind="hbar",
        links=links,
    )
    return chart.add("Schedules", values)


def upcoming_chart(schedules: QuerySet[Schedule], *, now: datetime) -> Chart:
    """Next runs in the coming week by hour and weekday, in the viewer's timezone.

    The cache holds each schedule's next run only, so an hourly schedule counts
    once: the chart shows when the next runs fall, not every future run.
    """
    tz = timezone.get_current_timezone()
    rows = (
        schedules.filter(
            enabled=True,
            next_run_at__gte=now,
            next_run_at__lt=now + timedelta(days=UPCOMING_DAYS),
        )
        .order_by()
        .annotate(
            day=ExtractIsoWeekDay("next_run_at", tzinfo=tz),
            hour=ExtractHour("next_run_at", tzinfo=tz),
        )
        .values_list("day", "hour")
        .annotate(n=Count("id"))
    )
    grid = [[0] * 24 for _ in WEEKDAYS]
    for day, hour, n in rows:
        grid[day - 1][hour] = n
    chart = Chart(
        key="upcoming",
        title=f"Next runs in the coming {UPCOMING_DAYS} days ({tz})",
        x_label=f"Hour of day ({tz})",
        y_label="Next runs",
        labels=[f"{hour:02d}:00" for hour in range(24)],
        kind="stacked",
    )
    for name, values in zip(WEEKDAYS, grid, strict=True):
        chart.add(name, values)
    return chart
