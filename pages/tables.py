"""The schedules table and its CSV export: one column spec, filters, sort and pages.

`COLUMNS` is the one definition of the columns: their order and labels, what
each shows and how it sorts. The HTML header and the rows show the columns
that have a cell (each cell's markup is a block of templates/pages/_cells.html,
put together by the `schedule_rows` tag), and the CSV writes every column, with
the same labels, in the same order. The query string carries the table's whole
state (so a filtered view can be bookmarked and shared), and the CSV reads the
same parameters, so it holds exactly the rows the table would list.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from lib.spreadsheets import BYTE_ORDER_MARK, safe_cell
from lib.zones import zone
from pages.widgets import ManyOptionsSelect
from schedules.models import Schedule, TaskKind, TriggerKind
from schedules.search import search
from workspaces import access
from workspaces.access import User

PAGE_SIZE = 50
DEFAULT_SORT = "name"
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class Format(StrEnum):
    """How a column's value is written in the CSV."""

    TEXT = "text"  # as stored
    CHOICE = "choice"  # the label of a choice
    TIME = "time"  # ISO 8601, in the viewer's timezone
    OWN_TIME = "own_time"  # ISO 8601, in the schedule's own timezone
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Column:
    label: str
    # What it shows: a Schedule field, or the annotation `workspace_name`.
    attr: str
    format: Format = Format.TEXT
    # Its ?sort= key; "" for a column that is not sorted on.
    sort: str = ""
    # The field it sorts on, when not `attr`.
    order: str = ""
    # Its cell in the HTML table (the block of _cells.html with its markup,
    # and the cell's class); "" for a column only the CSV has.
    cell: str = ""
    # The other fields its cell reads.
    reads: tuple[str, ...] = ()

    def csv_value(self, row: Schedule, tz: tzinfo) -> str | int:
        value = getattr(row, self.attr)
        match self.format:
            case Format.CHOICE:
                return getattr(row, f"get_{self.attr}_display")()
            case Format.TIME:
                return _iso(value, tz)
            case Format.OWN_TIME:
                return _iso(value, zone(row.timezone))
            case Format.YES_NO:
                return "yes" if value else "no"
        return value


COLUMNS = [
    Column(
        "Schedule name",
        "name",
        sort="name",
        cell="name",
        reads=("note", "workspace_id", "aac_id"),
    ),
    Column(
        "Workspace",
        "workspace_name",
        sort="workspace",
        order="workspace__name",
        cell="workspace",
        reads=("workspace_id",),
    ),
    Column("Type", "task_kind", Format.CHOICE, sort="task", cell="task"),
    Column("Workflow / plan", "target_name", sort="target", cell="target"),
    Column(
        "Schedule",
        "description",
        sort="schedule",
        cell="schedule",
        reads=("trigger_kind", "timezone", "cron"),
    ),
    Column("Timezone", "timezone"),
    Column("Cron", "cron"),
    Column("Trigger", "trigger_kind", Format.CHOICE),
    Column(
        "Next run",
        "next_run_at",
        Format.TIME,
        sort="next",
        cell="next",
        reads=("timezone",),
    ),
    Column("Next run (schedule's timezone)", "next_run_at", Format.OWN_TIME),
    Column("Last run", "last_execution_at", Format.TIME, sort="last", cell="last"),
    Column("Owner", "owner_name", sort="owner", cell="owner", reads=("owner_email",)),
    Column("Owner e-mail", "owner_email"),
    Column(
        "Owner disabled",
        "owner_disabled",
        Format.YES_NO,
        sort="owner_disabled",
        cell="owner_disabled",
    ),
    Column(
        "Enabled",
        "enabled",
        Format.YES_NO,
        sort="enabled",
        cell="enabled",
        reads=("disable_reason",),
    ),
    Column("Updated", "aac_updated_at", Format.TIME, sort="updated", cell="updated"),
    Column("AAC id", "aac_id"),
]
TABLE_COLUMNS = [column for column in COLUMNS if column.cell]
SORTS = {column.sort: column.order or column.attr for column in COLUMNS if column.sort}
# Only what the table and the CSV show: never `raw` (large), nor anything of
# the workspace but its name.
SHOWN_FIELDS = sorted(
    {"id"}
    | {column.attr for column in COLUMNS if column.attr != "workspace_name"}
    | {name for column in COLUMNS for name in column.reads}
)


def workspace_choices(user: User) -> list[tuple[int, str]]:
    """The (id, name) of the workspaces a table's workspace filter offers."""
    return list(access.visible_workspaces(user).values_list("pk", "name"))


def _iso(value: datetime | None, tz: tzinfo | None) -> str:
    return timezone.localtime(value, tz).isoformat() if value and tz else ""


class ScheduleFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    workspace = forms.TypedChoiceField(
        label="Workspace", required=False, coerce=int, widget=ManyOptionsSelect
    )
    owner = forms.CharField(label="Owner e-mail", required=False, max_length=255)
    task = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any"), *TaskKind.choices]
    )
    trigger = forms.ChoiceField(
        label="Trigger", required=False, choices=[("", "Any"), *TriggerKind.choices]
    )
    enabled = forms.ChoiceField(label="Enabled", required=False, choices=YES_NO)
    owner_disabled = forms.ChoiceField(
        label="Owner disabled", required=False, choices=YES_NO
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(p + key, p + key) for key in SORTS for p in ("", "-")],
        widget=forms.HiddenInput,
    )

    def __init__(self, data, *, workspaces: list[tuple[int, str]] | None):
        """`workspaces`: the visible (id, name) pairs; None hides the filter."""
        super().__init__(data)
        if workspaces is None:
            del self.fields["workspace"]
        else:
            self.fields["workspace"].choices = [("", "All"), *workspaces]

    def params(self) -> dict:
        """The valid, non-empty parameters."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


def filter_schedules(schedules: QuerySet[Schedule], params: dict) -> QuerySet:
    if q := params.get("q"):
        schedules = search(schedules, q)
    if "workspace" in params:
        schedules = schedules.filter(workspace_id=params["workspace"])
    if "owner" in params:
        schedules = schedules.filter(owner_email=params["owner"])
    if "task" in params:
        schedules = schedules.filter(task_kind=params["task"])
    if "trigger" in params:
        schedules = schedules.filter(trigger_kind=params["trigger"])
    if "enabled" in params:
        schedules = schedules.filter(enabled=params["enabled"] == "yes")
    if "owner_disabled" in params:
        schedules = schedules.filter(owner_disabled=params["owner_disabled"] == "yes")
    return schedules


def sort_schedules(schedules: QuerySet[Schedule], sort: str) -> QuerySet:
    """Empty values count as the largest (last going up, first going down), as
    PostgreSQL orders them, so a (column, id) index serves both directions; the
    id makes pages stable."""
    expression = F(SORTS[sort.lstrip("-")])
    if sort.startswith("-"):
        return schedules.order_by(expression.desc(nulls_first=True), "-id")
    return schedules.order_by(expression.asc(nulls_last=True), "id")


def _shown(schedules: QuerySet[Schedule]) -> QuerySet[Schedule]:
    """Only the columns the table and CSV show, and the workspace's name."""
    return schedules.only(*SHOWN_FIELDS).annotate(workspace_name=F("workspace__name"))


def table_rows(schedules: QuerySet[Schedule], params: dict) -> QuerySet[Schedule]:
    """Filtered and sorted rows, as the table and the CSV export show them."""
    rows = _shown(filter_schedules(schedules, params))
    return sort_schedules(rows, params.get("sort", DEFAULT_SORT))


def _rows_of(ids: list[int]) -> list[Schedule]:
    """The page's rows, fetched by id in one query, in the page's order."""
    rows = _shown(Schedule.objects.filter(pk__in=ids)).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


@dataclass
class Header:
    column: Column
    sort: str  # the ?sort= value a click on the header sets
    state: str  # "ascending", "descending" or "" (for aria-sort)


def headers(current: str) -> list[Header]:
    out = []
    for column in TABLE_COLUMNS:
        if current == column.sort:
            out.append(Header(column, f"-{column.sort}", "ascending"))
        elif current == f"-{column.sort}":
            out.append(Header(column, column.sort, "descending"))
        else:
            out.append(Header(column, column.sort, ""))
    return out


@dataclass
class Table:
    form: ScheduleFilterForm
    page: Page
    sort: str
    headers: list[Header]
    columns: list[Column]
    csv_url: str

    @property
    def query(self) -> str:
        """The filters (and the page's own scope) as a query string, for the
        actions on "everything this filter shows"."""
        return self.csv_url.partition("?")[2]


def build_table(
    schedules: QuerySet[Schedule],
    data,
    *,
    workspaces: list[tuple[int, str]] | None,
    scope: dict | None = None,
) -> Table:
    """The table for a request's GET parameters: three queries (count, ids, rows).

    `scope` names the filters the page itself applies to `schedules` (the
    workspace page's workspace), for the CSV link to apply them too.
    """
    form = ScheduleFilterForm(data, workspaces=workspaces)
    params = form.params()
    sort = params.get("sort", DEFAULT_SORT)
    # Page through ids alone (an index-only scan where an index matches the
    # sort, however deep the page), then fetch that page's 50 rows.
    ids = sort_schedules(filter_schedules(schedules, params), sort)
    page = Paginator(ids.values_list("id", flat=True), PAGE_SIZE).get_page(
        data.get("page")
    )
    page.object_list = _rows_of(list(page.object_list))
    query = urlencode({**params, **(scope or {})})
    return Table(
        form=form,
        page=page,
        sort=sort,
        headers=headers(sort),
        columns=TABLE_COLUMNS,
        csv_url=f"{reverse('pages:schedules_csv')}?{query}",
    )


class _Echo:
    """A file-like object whose write() hands the line back to the generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: QuerySet[Schedule], *, tz: tzinfo) -> Iterator[str]:
    """Stream the rows with a server-side cursor; memory stays flat.

    UTF-8 with a byte-order mark, so Excel reads it as UTF-8; every text cell
    passes the formula guard. `tz` is passed in because the response is
    consumed after the view returned, when the viewer's timezone is no longer
    active.
    """
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow([column.label for column in COLUMNS])
    for row in rows.iterator(chunk_size=2000):
        cells = (column.csv_value(row, tz) for column in COLUMNS)
        yield writer.writerow(
            [safe_cell(cell) if isinstance(cell, str) else cell for cell in cells]
        )
