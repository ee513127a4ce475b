"""The schedules table: its columns, and search, filters, sort and pages from the URL.

The query string carries the whole state (so a filtered view can be bookmarked
and shared), and the CSV export reads the same parameters, so it holds exactly
the rows the table would list.
"""

import csv
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from schedules.models import Schedule, TaskKind, TriggerKind

PAGE_SIZE = 50
DEFAULT_SORT = "name"
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


@dataclass(frozen=True)
class Column:
    key: str  # its ?sort= value
    label: str
    field: str  # what it sorts on


COLUMNS = [
    Column("name", "Schedule name", "name"),
    Column("workspace", "Workspace", "workspace__name"),
    Column("task", "Type", "task_kind"),
    Column("target", "Workflow / plan", "target_name"),
    Column("schedule", "Schedule", "description"),
    Column("next", "Next run", "next_run_at"),
    Column("last", "Last run", "last_execution_at"),
    Column("owner", "Owner", "owner_name"),
    Column("owner_disabled", "Owner disabled", "owner_disabled"),
    Column("enabled", "Enabled", "enabled"),
    Column("updated", "Updated", "aac_updated_at"),
]
SORT_FIELDS = {column.key: column.field for column in COLUMNS}

# The table never needs `raw` (large) nor anything of the workspace but its name.
TABLE_FIELDS = (
    "id",
    "workspace_id",
    "aac_id",
    "name",
    "enabled",
    "disable_reason",
    "trigger_kind",
    "cron",
    "timezone",
    "description",
    "next_run_at",
    "last_execution_at",
    "task_kind",
    "target_name",
    "owner_name",
    "owner_email",
    "owner_disabled",
    "aac_updated_at",
    "note",
)


class ScheduleFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    workspace = forms.TypedChoiceField(label="Workspace", required=False, coerce=int)
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
        choices=[(p + c.key, p + c.key) for c in COLUMNS for p in ("", "-")],
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
        schedules = schedules.filter(
            Q(name__icontains=q)
            | Q(target_name__icontains=q)
            | Q(owner_name__icontains=q)
            | Q(owner_email__icontains=q)
        )
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
    expression = F(SORT_FIELDS[sort.lstrip("-")])
    if sort.startswith("-"):
        return schedules.order_by(expression.desc(nulls_first=True), "-id")
    return schedules.order_by(expression.asc(nulls_last=True), "id")


def _shown(schedules: QuerySet[Schedule]) -> QuerySet[Schedule]:
    """Only the columns the table and CSV show, and the workspace's name."""
    return schedules.only(*TABLE_FIELDS).annotate(workspace_name=F("workspace__name"))


def table_rows(schedules: QuerySet[Schedule], params: dict) -> QuerySet[Schedule]:
    """Filtered and sorted rows, as the table and the CSV export show them."""
    rows = _shown(filter_schedules(schedules, params))
    return sort_schedules(rows, params.get("sort", DEFAULT_SORT))


def _rows_of(ids: list[int]) -> list[Schedule]:
    """The page's rows, fetched by id in one query, in the page's order."""
    rows = _shown(Schedule.objects.filter(pk__in=ids)).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


@dataclass
class SortLink:
    column: Column
    sort: str  # the ?sort= value a click on the header sets
    state: str  # "ascending", "descending" or "" (for aria-sort)


def sort_links(current: str) -> list[SortLink]:
    links = []
    for column in COLUMNS:
        if current == column.key:
            links.append(SortLink(column, f"-{column.key}", "ascending"))
        elif current == f"-{column.key}":
            links.append(SortLink(column, column.key, "descending"))
        else:
            links.append(SortLink(column, column.key, ""))
    return links


@dataclass
class Table:
    form: ScheduleFilterForm
    page: Page
    sort: str
    headers: list[SortLink]
    csv_url: str


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
    return Table(
        form=form,
        page=page,
        sort=sort,
        headers=sort_links(sort),
        csv_url=f"{reverse('schedules_csv')}?{urlencode({**params, **(scope or {})})}",
    )


CSV_HEADER = [
    "Schedule name",
    "Workspace",
    "Type",
    "Workflow / plan",
    "Schedule",
    "Timezone",
    "Cron",
    "Trigger",
    "Next run",
    "Next run (schedule's timezone)",
    "Last run",
    "Owner",
    "Owner e-mail",
    "Owner disabled",
    "Enabled",
    "Updated",
    "AAC id",
]
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def _when(value: datetime | None, tz: tzinfo) -> str:
    return timezone.localtime(value, tz).isoformat() if value else ""


def _own_timezone(value: datetime | None, name: str) -> str:
    tz = schedule_zone(name)
    return _when(value, tz) if value and tz else ""


def schedule_zone(name: str) -> tzinfo | None:
    """The schedule's own timezone, or None when AAC sent none we know."""
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class _Echo:
    """A file-like object whose write() hands the line back to the generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: QuerySet[Schedule], *, tz: tzinfo) -> Iterator[str]:
    """Stream the rows with a server-side cursor; memory stays flat.

    `tz` is passed in because the response is consumed after the view returned,
    when the viewer's timezone is no longer active.
    """
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for s in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(s.name),
                _cell(s.workspace_name),
                s.get_task_kind_display(),
                _cell(s.target_name),
                _cell(s.description),
                s.timezone,
                _cell(s.cron),
                s.get_trigger_kind_display(),
                _when(s.next_run_at, tz),
                _own_timezone(s.next_run_at, s.timezone),
                _when(s.last_execution_at, tz),
                _cell(s.owner_name),
                _cell(s.owner_email),
                "yes" if s.owner_disabled else "no",
                "yes" if s.enabled else "no",
                _when(s.aac_updated_at, tz),
                s.aac_id,
            ]
        )
