"""The schedules table and its CSV export: one column spec, filters, sort and pages.

`COLUMNS` is the one definition of the columns: their order and labels, what
each shows and how it sorts. The HTML header and the rows show the columns
that have a cell (each cell's markup is a block of templates/pages/_cells.html,
put together by the `schedule_rows` tag), and the CSV writes every column, with
the same labels, in the same order. The query string carries the table's whole
state (so a filtered view can be bookmarked and shared), and the CSV reads the
same parameters, so it holds exactly the rows the table would list. The
filters, search, sort and keyset pages themselves are `schedules.listing`'s,
shared with the API: a page is one index range however deep it is, and the
rows are counted up to COUNTED_AT_MOST (a count of a million rows would cost
more than the page; beyond it the table says "more than"). A search is not
counted beyond its page: its matches come from the trigram index as a whole,
which costs a broad search more than the page it shows.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from lib.spreadsheets import BYTE_ORDER_MARK, safe_cell
from lib.zones import zone
from pages.aac_links import region_url
from schedules.listing import (
    DEFAULT_SORT,
    SORTS,
    Order,
    ScheduleFilterForm,
    after,
    cursor_of,
    filter_schedules,
    in_order,
    sort_schedules,
)
from schedules.models import Schedule

PAGE_SIZE = 50
# The table counts its rows up to this many, and says "more than" beyond.
COUNTED_AT_MOST = 10_000
# A search looks for a page of matches among this many first rows of the list.
PROBED = 20_000


class Format(StrEnum):
    """How a column's value is written in the CSV."""

    TEXT = "text"  # as stored
    CHOICE = "choice"  # the label of a choice
    TIME = "time"  # ISO 8601, in the viewer's timezone
    OWN_TIME = "own_time"  # ISO 8601, in the schedule's own timezone
    YES_NO = "yes_no"
    AAC_LINK = "aac_link"  # the row's page in AAC's UI


@dataclass(frozen=True)
class Column:
    label: str
    # What it shows: a Schedule field, or an annotation of `_shown`.
    attr: str
    format: Format = Format.TEXT
    # Its ?sort= key (a key of `schedules.listing.SORTS`); "" for a column
    # that is not sorted on.
    sort: str = ""
    # Its cell in the HTML table (the block of _cells.html with its markup,
    # and the cell's class); "" for a column only the CSV has, whose value a
    # table cell shows beside another's.
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
            case Format.AAC_LINK:
                return aac_link(row)
        return value


# The table shows nine columns, readable at 1,366 px: the CSV's columns that
# have no cell of their own are shown in a neighbour's (the AAC id, its link
# and the parser's note under the name; the target under the task type; the
# owner's state beside their name; the disable reason beside "Enabled").
COLUMNS = [
    Column(
        "Schedule name",
        "name",
        sort="name",
        cell="name",
        reads=("note", "workspace_id", "aac_id"),
    ),
    Column("AAC id", "aac_id"),
    Column("Open in AAC", "aac_id", Format.AAC_LINK),
    Column(
        "Workspace",
        "workspace_name",
        sort="workspace",
        cell="workspace",
        reads=("workspace_id",),
    ),
    Column(
        "Type",
        "task_kind",
        Format.CHOICE,
        sort="task",
        cell="task",
        reads=("target_name",),
    ),
    Column("Workflow / plan", "target_name", sort="target"),
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
    Column(
        "Owner",
        "owner_name",
        sort="owner",
        cell="owner",
        reads=("owner_email", "owner_disabled"),
    ),
    Column("Owner e-mail", "owner_email"),
    Column("Owner disabled", "owner_disabled", Format.YES_NO, sort="owner_disabled"),
    Column(
        "Enabled",
        "enabled",
        Format.YES_NO,
        sort="enabled",
        cell="enabled",
        reads=("disable_reason",),
    ),
    Column("Disable reason", "disable_reason"),
    Column("Updated", "aac_updated_at", Format.TIME, sort="updated", cell="updated"),
    Column("Parser note", "note"),
]
TABLE_COLUMNS = [column for column in COLUMNS if column.cell]
# Only what the table and the CSV show: never `raw` (large), nor anything of
# the workspace but its name.
SHOWN_FIELDS = sorted(
    {"id"}
    | {column.attr for column in COLUMNS if column.attr != "workspace_name"}
    | {name for column in COLUMNS for name in column.reads}
)
# The table's sorts, for the phone's sort menu (its header is hidden there).
SORT_CHOICES = [
    (f"{p}{column.sort}", f"{column.label}, {words}")
    for column in TABLE_COLUMNS
    for p, words in (("", "ascending"), ("-", "descending"))
]


def _iso(value: datetime | None, tz: tzinfo | None) -> str:
    return timezone.localtime(value, tz).isoformat() if value and tz else ""


def _shown(schedules: QuerySet[Schedule]) -> QuerySet[Schedule]:
    """Only the columns the table and CSV show, and the workspace's name and
    region (for the links into AAC)."""
    return schedules.only(*SHOWN_FIELDS).annotate(
        workspace_name=F("workspace__name"), workspace_region=F("workspace__region")
    )


def aac_link(row: Schedule) -> str:
    """The row's schedule in AAC's UI; "" when its region has none."""
    return region_url(row.workspace_region, "schedule", row.aac_id)


def table_rows(schedules: QuerySet[Schedule], params: dict) -> QuerySet[Schedule]:
    """Filtered and sorted rows, as the table and the CSV export show them."""
    rows = _shown(filter_schedules(schedules, params))
    return sort_schedules(rows, params.get("sort", DEFAULT_SORT))


def _page(rows: QuerySet[Schedule], order: Order, **kwargs) -> list[tuple]:
    """The (id, sort value) of the first PAGE_SIZE + 1 of `rows` in `order`:
    ids alone, from an index-only scan where an index matches the sort."""
    ids = in_order(rows, order, **kwargs).values_list("id", "sort_value")
    return list(ids[: PAGE_SIZE + 1])


def _searched_page(
    matches: QuerySet[Schedule], listed: QuerySet[Schedule], order: Order
) -> list[tuple]:
    """`_page` of a search's `matches` among the `listed` rows.

    First along the sort's index, no further than the PROBED-th listed row: a
    broad search (a tenth of a million names) fills its page within a few
    thousand rows. Else its matches from the trigram index, sorted: walking
    the sort's index to a narrow search's matches could read the whole list
    (ten seconds at a million schedules, when they lie at its far end).
    """
    bound = list(
        in_order(listed, order).values_list("id", "sort_value")[PROBED - 1 : PROBED]
    )
    if not bound:  # the list is shorter than that: walk it all
        return _page(matches, order)
    ((pk, value),) = bound
    within = ~after(Schedule, order, cursor_of(value, pk))
    found = _page(matches.filter(within), order)
    if len(found) > PAGE_SIZE:
        return found
    return _page(matches, order, by_index=False)


def _url_formats() -> dict[str, str]:
    """The row's links with "{}" for the ids: one reverse() each per page
    rather than two or three a row (a third of a page's rendering)."""
    names = {
        "url": ("pages:schedule", [0, 0]),
        "workspace_url": ("pages:workspace", [0]),
        "run_url": ("pages:run_now", [0, "schedule", 0]),
    }
    return {
        attr: reverse(name, args=args).replace("/0/", "/{}/")
        for attr, (name, args) in names.items()
    }


def _rows_of(ids: list[int], data) -> list[Schedule]:
    """The page's rows, fetched by id in one query, in the page's order, each
    with its links: its page, its workspace's, run now, its owner's filter
    (the table's query string with that owner, from the first page)."""
    rows = _shown(Schedule.objects.filter(pk__in=ids)).in_bulk()
    page = [rows[pk] for pk in ids if pk in rows]
    urls = _url_formats()
    query = data.copy()
    for key in ("after", "page"):
        query.pop(key, None)
    for row in page:
        row.aac_link = aac_link(row)
        row.url = urls["url"].format(row.workspace_id, row.aac_id)
        row.workspace_url = urls["workspace_url"].format(row.workspace_id)
        row.run_url = urls["run_url"].format(row.workspace_id, row.aac_id)
        query["owner"] = row.owner_email
        row.owner_url = f"?{query.urlencode()}"
    return page


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
    rows: list[Schedule]
    # The rows the filters select, counted up to COUNTED_AT_MOST + 1; None
    # for a search whose matches go on past this page.
    counted: int | None
    # The query string of the next page, "" on the last one.
    next_query: str
    first_page: bool
    sort: str
    headers: list[Header]
    columns: list[Column]
    csv_url: str
    # The filters the phone's sort menu keeps.
    kept: dict
    sort_choices: list[tuple[str, str]]

    @property
    def count_words(self) -> str:
        """ "1 schedule", "2,345 schedules", "More than 10,000 schedules"."""
        if self.counted is None:
            return f"{len(self.rows):,} schedules on this page, more match"
        if self.counted > COUNTED_AT_MOST:
            return f"More than {COUNTED_AT_MOST:,} schedules"
        return f"{self.counted:,} schedule{'s' * (self.counted != 1)}"

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
    """The table for a request's GET parameters: three queries (the page's
    ids, its rows, the bounded count); a search two or three (counted by its
    page, found in one or two tries: `_searched_page`).

    `scope` names the filters the page itself applies to `schedules` (the
    workspace page's workspace), for the CSV link to apply them too. An
    `after` cursor that is not one of this sort's shows the first page.
    """
    form = ScheduleFilterForm(data, workspaces=workspaces)
    params = form.params()
    sort = params.get("sort", DEFAULT_SORT)
    order = Order.of(sort, SORTS)
    selected = filter_schedules(schedules, params)
    following = Q()
    cursor = data.get("after")
    if cursor:
        try:
            following = after(Schedule, order, cursor)
        except ValueError:
            cursor = None
    if "q" in params:
        unsearched = {k: v for k, v in params.items() if k != "q"}
        listed = filter_schedules(schedules, unsearched).filter(following)
        found = _searched_page(selected.filter(following), listed, order)
    else:
        found = _page(selected.filter(following), order)
    more, found = len(found) > PAGE_SIZE, found[:PAGE_SIZE]
    if "q" not in params:
        counted = selected.order_by()[: COUNTED_AT_MOST + 1].count()
    else:
        counted = None if more or cursor else len(found)
    next_query = ""
    if more:
        following = data.copy()
        following["after"] = cursor_of(found[-1][1], found[-1][0])
        next_query = following.urlencode()
    query = urlencode({**params, **(scope or {})})
    return Table(
        form=form,
        rows=_rows_of([pk for pk, _ in found], data),
        counted=counted,
        next_query=next_query,
        first_page=not cursor,
        sort=sort,
        headers=headers(sort),
        columns=TABLE_COLUMNS,
        csv_url=f"{reverse('pages:schedules_csv')}?{query}",
        kept={k: v for k, v in params.items() if k != "sort"},
        sort_choices=SORT_CHOICES,
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
