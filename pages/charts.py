"""The charts of the dashboard and the workspace page, from `schedules.queries` data.

A `Chart` is what charts.js draws and what the table fallback under it shows;
the template passes its data with json_script. Bars link to the schedules
table filtered to what they count.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from schedules.models import Schedule
from schedules.queries import (
    OwnerCount,
    Summary,
    kind_counts,
    top_owners,
    upcoming_by_hour,
)
from schedules.summaries import Overview
from workspaces.models import Workspace

TOP = 15
UPCOMING_DAYS = 7
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# The axis label of the chart of each kind column `schedules.queries` counts.
KIND_LABELS = {"task": "Task type", "trigger": "Trigger kind"}


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

    def add(self, name: str, values: list, *, colour: str = "") -> "Chart":
        """A series; `colour` (CSS) when its meaning has one, such as a status."""
        self.series.append({"name": name, "values": values, "colour": colour})
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
    def rows(self) -> list[tuple[str, str, list[str]]]:
        """(label, link, one value per series) for the table fallback, the
        values written out here: a template localizing each number of a
        month's chart costs more than the rest of the chart."""
        links = self.links or [""] * len(self.labels)
        columns = [s["values"] for s in self.series]
        return [
            (label, link, [_written(values[i]) for values in columns])
            for i, (label, link) in enumerate(zip(self.labels, links, strict=True))
        ]

    @property
    def empty(self) -> bool:
        return not any(any(s["values"]) for s in self.series)


def _written(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def table_url(**params) -> str:
    """The schedules table, filtered by `params`."""
    return f"{reverse('pages:schedules')}?{urlencode(params)}"


def _top_with_others(pairs: list[tuple[str, int]], total: int) -> tuple[list, list]:
    labels = [label for label, _ in pairs]
    values = [n for _, n in pairs]
    others = total - sum(values)
    if others > 0:
        labels.append("others")
        values.append(others)
    return labels, values


def owner_chart(owners: list[OwnerCount], *, total: int, scope: dict) -> Chart:
    """Top owners by e-mail (the stable key), labelled with their name.

    `owners` are the TOP owners, most schedules first. `scope` holds the
    table filters of the page (e.g. its workspace), so the fallback table
    links to that owner's schedules within it.
    """
    top = owners[:TOP]
    pairs = [
        (owner.name or owner.email or "(no owner)", owner.schedules) for owner in top
    ]
    labels, values = _top_with_others(pairs, total)
    links = [
        table_url(**scope, owner=owner.email) if owner.email else "" for owner in top
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


def kind_chart(summary: Summary, key: str) -> Chart:
    """Schedules per task type or trigger kind; kinds with none are left out."""
    label = KIND_LABELS[key]
    counts = kind_counts(summary, key)
    chart = Chart(
        key=key,
        title=f"Schedules by {label.lower()}",
        x_label=label,
        y_label="Schedules",
        labels=[kind.label for kind in counts],
    )
    return chart.add("Schedules", list(counts.values()))


def workspace_chart(workspaces: list[Workspace], summary: Summary) -> Chart:
    ranked = sorted(workspaces, key=lambda ws: (-summary.schedules_of(ws.pk), ws.name))
    pairs = [(ws.name, summary.schedules_of(ws.pk)) for ws in ranked[:TOP]]
    labels, values = _top_with_others(pairs, summary.total("schedules"))
    links = [reverse("pages:workspace", args=[ws.pk]) for ws in ranked[:TOP]]
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


def dashboard_charts(overview: Overview, *, workspaces: list[Workspace]) -> list[Chart]:
    """The dashboard's charts, from the workspaces' summaries."""
    summary, tz = overview.summary, timezone.get_current_timezone()
    return [
        owner_chart(overview.owners, total=summary.total("schedules"), scope={}),
        kind_chart(summary, "task"),
        workspace_chart(workspaces, summary),
        kind_chart(summary, "trigger"),
        upcoming_chart(overview.weekly_grid(tz), wide=True),
    ]


def workspace_charts(
    schedules: QuerySet[Schedule], summary: Summary, *, scope: dict, now: datetime
) -> list[Chart]:
    """A workspace page's charts, counted from its rows; `scope` is its filter
    of the schedules table."""
    tz = timezone.get_current_timezone()
    return [
        owner_chart(
            top_owners(schedules, limit=TOP),
            total=summary.total("schedules"),
            scope=scope,
        ),
        kind_chart(summary, "task"),
        kind_chart(summary, "trigger"),
        upcoming_chart(upcoming_by_hour(schedules, now=now, days=UPCOMING_DAYS, tz=tz)),
    ]


def upcoming_chart(grid: list[list[int]], *, wide: bool = False) -> Chart:
    """Next runs in the coming week by weekday and hour (`grid`), in the viewer's
    timezone."""
    tz = timezone.get_current_timezone()
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
