"""The charts of the dashboard and the workspace page, from `schedules.queries` and
`schedules.load` data.

A `Chart` is what charts.js draws and what the table fallback under it shows;
the template passes its data with json_script. A click on a bar (portal.js)
opens the schedules table filtered to what it counts: the bar's link, or its
series' link for stacked bars.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from schedules.load import DAYS, Load
from schedules.queries import OwnerCount, Summary, kind_counts
from schedules.summaries import Overview
from workspaces.models import Workspace

TOP = 15
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# The busiest hours the upcoming-load chart names.
BUSIEST = 3
# The colours of the workspace chart's states, as the badges show them.
STATE_COLOURS = {
    "enabled": "#0e9f6e",
    "owner_disabled": "#d97706",
    "disabled": "#9aa5b1",
}
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
    kind: str = "bar"  # "bar", "hbar" (horizontal), "stacked" or "hstacked"
    wide: bool = False  # spans the whole row of charts
    links: list[str] = field(default_factory=list)  # each bar's href, optional
    subtitle: str = ""  # what to read off it, shown under the title

    def add(
        self, name: str, values: list, *, colour: str = "", links: list | None = None
    ) -> "Chart":
        """A series; `colour` (CSS) when its meaning has one, such as a status;
        `links` when each of its segments opens a table of its own."""
        self.series.append(
            {"name": name, "values": values, "colour": colour, "links": links or []}
        )
        return self

    @property
    def json_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def data(self) -> dict:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "kind": self.kind,
            "xLabel": self.x_label,
            "yLabel": self.y_label,
            "labels": self.labels,
            "series": self.series,
            "links": self.links,
        }

    @property
    def rows(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(label, link, (value, link) per series) for the table fallback, the
        values written out here: a template localizing each number of a
        month's chart costs more than the rest of the chart."""
        links = self.links or [""] * len(self.labels)
        return [
            (
                label,
                link,
                [
                    (_written(s["values"][i]), (s["links"] or [""] * (i + 1))[i])
                    for s in self.series
                ],
            )
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


def kind_chart(summary: Summary, key: str, *, scope: dict) -> Chart:
    """Schedules per task type or trigger kind, every kind the parser knows;
    kinds with none are left out."""
    label = KIND_LABELS[key]
    counts = kind_counts(summary, key)
    chart = Chart(
        key=key,
        title=f"Schedules by {label.lower()}",
        x_label=label,
        y_label="Schedules",
        labels=[kind.label for kind in counts],
        links=[table_url(**scope, **{key: kind.value}) for kind in counts],
    )
    return chart.add("Schedules", list(counts.values()))


def workspace_chart(workspaces: list[Workspace], summary: Summary) -> Chart:
    """Each workspace's schedules stacked by state: enabled, enabled but their
    owner is disabled (they fail when they fire), disabled. Each segment opens
    the table of those schedules."""
    ranked = sorted(workspaces, key=lambda ws: (-summary.schedules_of(ws.pk), ws.name))
    top = ranked[:TOP]
    states = {
        "enabled": ("Enabled", {"enabled": "yes", "owner_disabled": "no"}),
        "owner_disabled": (
            "Enabled, owner disabled",
            {"enabled": "yes", "owner_disabled": "yes"},
        ),
        "disabled": ("Disabled", {"enabled": "no"}),
    }
    labels = [ws.name for ws in top]
    if len(ranked) > TOP:
        labels.append("others")
    chart = Chart(
        key="workspace",
        title="Schedules by workspace and state",
        x_label="Schedules",
        y_label="Workspace",
        labels=labels,
        kind="hstacked",
        # "others" opens the table of every schedule.
        links=[reverse("pages:workspace", args=[ws.pk]) for ws in top]
        + [table_url()] * (len(labels) - len(top)),
    )
    for state, (name, params) in states.items():
        values = [summary.states_of(ws.pk)[state] for ws in top]
        links = [table_url(workspace=ws.pk, **params) for ws in top]
        if len(ranked) > TOP:
            values.append(sum(summary.states_of(ws.pk)[state] for ws in ranked[TOP:]))
            links.append(table_url(**params))
        chart.add(name, values, colour=STATE_COLOURS[state], links=links)
    return chart


def dashboard_charts(overview: Overview, *, workspaces: list[Workspace]) -> list[Chart]:
    """The dashboard's charts, from the workspaces' summaries."""
    summary = overview.summary
    return [
        owner_chart(overview.owners, total=summary.total("schedules"), scope={}),
        kind_chart(summary, "task", scope={}),
        workspace_chart(workspaces, summary),
        kind_chart(summary, "trigger", scope={}),
        upcoming_chart(overview.load, wide=True),
    ]


def workspace_charts(overview: Overview, *, scope: dict) -> list[Chart]:
    """A workspace page's charts, from its summary; `scope` is its filter of
    the schedules table."""
    summary = overview.summary
    return [
        owner_chart(overview.owners, total=summary.total("schedules"), scope=scope),
        kind_chart(summary, "task", scope=scope),
        kind_chart(summary, "trigger", scope=scope),
        upcoming_chart(overview.load),
    ]


def upcoming_chart(load: Load, *, wide: bool = False) -> Chart:
    """Every run of the coming week by weekday and hour in the viewer's timezone,
    the days in order from today, and the busiest hours named."""
    tz = timezone.get_current_timezone()
    grid = load.by_weekday_and_hour(tz)
    start = load.start.astimezone(tz)
    busiest = load.busiest(tz, count=BUSIEST)
    named = ", ".join(f"{at:%a %H}:00 ({runs:,})" for at, runs in busiest if runs)
    chart = Chart(
        key="upcoming",
        title=f"Runs in the coming {DAYS} days: {load.total:,} ({tz})",
        subtitle=f"Busiest hours: {named}" if named else "",
        x_label=f"Hour of day ({tz})",
        y_label="Runs",
        labels=[f"{hour:02d}:00" for hour in range(24)],
        kind="stacked",
        wide=wide,
    )
    for offset in range(DAYS):
        day = (start.weekday() + offset) % DAYS
        chart.add(WEEKDAYS[day], grid[day])
    return chart
