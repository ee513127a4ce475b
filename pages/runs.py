"""The runs table: filters, newest first, paged by a cursor; and rows of runs.

Pages go by a cursor (the creation time and id of the row a page starts
after, `schedules.assets.listing`, shared with the API) rather than by page
number: the first page and the thousandth cost one index range each, and
nothing counts the runs (a count of two million
rows would cost more than the page). The query string carries the whole
state, so a filtered view can be bookmarked. `run_rows` gives any list of
runs (the table, a schedule's, an asset's) what their rows show besides the
run: its workspace, its schedule and who ran it, in two queries.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from schedules.assets.listing import (
    RunFilterForm,
    after,
    cursor_of,
    filter_runs,
    newest_first,
)
from schedules.assets.models import AssetKind, Run
from schedules.assets.queries import people
from schedules.models import Person, Schedule

PAGE_SIZE = 50
ASSET_URLS = {
    AssetKind.PLAN: "pages:plan",
    AssetKind.FLOW: "pages:flow",
    AssetKind.WORKFLOW: "pages:workflow",
}


def runs_url(**params) -> str:
    """The runs table, filtered by `params`."""
    query = {key: value for key, value in params.items() if value not in ("", None)}
    return f"{reverse('pages:runs')}?{urlencode(query)}"


def local_input(moment: datetime) -> str:
    """A time as the table's "Created from" field takes it (the viewer's zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@dataclass
class RunRow:
    """A run and what its row shows besides: its workspace, schedule, person,
    and the links to their pages."""

    run: Run
    workspace_name: str = ""
    schedule: Schedule | None = None
    person: Person | None = None
    workspace_url: str = ""
    asset_url: str = ""
    schedule_url: str = ""


def _url_formats() -> dict[str, str]:
    """The pages' URLs with "{}" for the ids: one reverse() each rather than
    three a row."""
    names = {"pages:workspace": [0], "pages:schedule": [0, 0]}
    names |= {name: [0, "0"] for name in ASSET_URLS.values()}
    return {
        name: reverse(name, args=args).replace("/0/", "/{}/")
        for name, args in names.items()
    }


def _links(run: Run, urls: dict[str, str]) -> dict[str, str]:
    ws = run.workspace_id
    links = {"workspace_url": urls["pages:workspace"].format(ws)}
    if run.schedule_aac_id is not None:
        links["schedule_url"] = urls["pages:schedule"].format(ws, run.schedule_aac_id)
    name, asset = ASSET_URLS.get(run.asset_kind), run.asset_aac_id
    # A plan's or flow's id is a number; a workflow's a ULID.
    if name and asset and (run.asset_kind == AssetKind.WORKFLOW or asset.isdigit()):
        links["asset_url"] = urls[name].format(ws, asset)
    return links


def run_rows(runs: list[Run]) -> list[RunRow]:
    """Rows for `runs`: their schedules and people in two queries."""
    wanted = {(r.workspace_id, r.schedule_aac_id) for r in runs if r.schedule_aac_id}
    schedules = {}
    if wanted:
        found = Schedule.objects.filter(
            workspace_id__in={ws for ws, _ in wanted},
            aac_id__in={aac_id for _, aac_id in wanted},
        ).only("workspace_id", "aac_id", "name")
        schedules = {(s.workspace_id, s.aac_id): s for s in found}
    names = people({(run.workspace_id, run.run_by_aac_id) for run in runs})
    urls = _url_formats()
    return [
        RunRow(
            run=run,
            workspace_name=getattr(run, "workspace_name", ""),
            schedule=schedules.get((run.workspace_id, run.schedule_aac_id)),
            person=names.get((run.workspace_id, run.run_by_aac_id)),
            **_links(run, urls),
        )
        for run in runs
    ]


@dataclass
class RunTable:
    form: RunFilterForm
    rows: list[RunRow]
    # The query string of the next page, "" on the last one.
    next_query: str
    first_page: bool


def build_run_table(
    runs: QuerySet[Run], data, *, workspaces: list[tuple[int, str]]
) -> RunTable:
    """The page of runs a request asks for: one query for the rows (one more
    than a page, to know whether another follows), two for their rows."""
    form = RunFilterForm(data, workspaces=workspaces)
    params = form.params()
    selected = filter_runs(runs, params)
    if "after" in params:
        selected = selected.filter(after(params["after"]))
    page = list(
        newest_first(selected).annotate(workspace_name=F("workspace__name"))[
            : PAGE_SIZE + 1
        ]
    )
    more, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
    next_query = ""
    if more:
        following = data.copy()
        following["after"] = cursor_of(page[-1])
        next_query = following.urlencode()
    return RunTable(
        form=form,
        rows=run_rows(page),
        next_query=next_query,
        first_page="after" not in params,
    )
