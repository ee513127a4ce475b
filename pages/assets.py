"""The tables of plans, flows and workflows across workspaces.

Each row shows the asset, the schedules that run it, its last run and its
failure streak (kept by the sync, so sorting by them is an index scan). The
page's rows are fetched by id after paging through ids, like the schedules
table; their schedules and owners come in one query each.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.urls import reverse

from schedules.assets.listing import (
    DEFAULT_ASSET_SORT,
    AssetFilterForm,
    filter_assets,
    sort_assets,
)
from schedules.assets.models import ASSET_MODELS, Asset, AssetKind
from schedules.assets.queries import people, schedules_running
from schedules.models import Person, Schedule

PAGE_SIZE = 50
# Each ?sort= key's header label (the keys: `schedules.assets.listing`).
LABELS = {
    "name": "Name",
    "workspace": "Workspace",
    "last": "Last run",
    "streak": "Failure streak",
}
# Columns a first click sorts the largest first: the longest streak, the
# latest run.
DESCENDING_FIRST = ("streak", "last")
SHOWN_FIELDS = (
    "id",
    "workspace_id",
    "aac_id",
    "name",
    "owner_aac_id",
    "aac_updated_at",
    "last_run_at",
    "last_run_status",
    "failure_streak",
)
PLURALS = {
    AssetKind.PLAN: "plans",
    AssetKind.FLOW: "flows",
    AssetKind.WORKFLOW: "workflows",
}


@dataclass
class AssetRow:
    asset: Asset
    url: str
    schedules: list[Schedule] = field(default_factory=list)
    owner: Person | None = None


@dataclass
class Header:
    key: str
    label: str
    sort: str  # the ?sort= a click sets
    state: str  # "ascending", "descending" or ""


@dataclass
class AssetTable:
    kind: str
    plural: str
    form: AssetFilterForm
    page: Page
    rows: list[AssetRow]
    headers: list[Header]


def _headers(current: str) -> list[Header]:
    headers = []
    for key, label in LABELS.items():
        if current == key:
            headers.append(Header(key, label, f"-{key}", "ascending"))
        elif current == f"-{key}":
            headers.append(Header(key, label, key, "descending"))
        else:
            first = f"-{key}" if key in DESCENDING_FIRST else key
            headers.append(Header(key, label, first, ""))
    return headers


def asset_rows(kind: str, assets: list[Asset]) -> list[AssetRow]:
    """Rows for `assets` of one kind: their schedules and owners, a query each."""
    pairs = [(a.workspace_id, str(a.aac_id)) for a in assets]
    running = schedules_running(kind, pairs)
    owners = people({(a.workspace_id, a.owner_aac_id) for a in assets})
    url = reverse(f"pages:{kind}", args=[0, "0"]).replace("/0/", "/{}/")
    return [
        AssetRow(
            asset=asset,
            url=url.format(asset.workspace_id, asset.aac_id),
            schedules=running.get(pair, []),
            owner=owners.get((asset.workspace_id, asset.owner_aac_id)),
        )
        for asset, pair in zip(assets, pairs, strict=True)
    ]


def build_asset_table(
    kind: str, assets: QuerySet[Asset], data, *, workspaces: list[tuple[int, str]]
) -> AssetTable:
    """Five queries: the count, the page's ids, its rows, schedules, owners."""
    form = AssetFilterForm(data, workspaces=workspaces)
    params = form.params()
    sort = params.get("sort", DEFAULT_ASSET_SORT)
    ids = sort_assets(filter_assets(assets, params), sort).values_list("id", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(data.get("page"))
    model = ASSET_MODELS[kind]
    found = (
        model.objects.filter(pk__in=list(page.object_list))
        .only(*SHOWN_FIELDS)
        .annotate(workspace_name=F("workspace__name"))
        .in_bulk()
    )
    ordered = [found[pk] for pk in page.object_list if pk in found]
    return AssetTable(
        kind=kind,
        plural=PLURALS[kind],
        form=form,
        page=page,
        rows=asset_rows(kind, ordered),
        headers=_headers(sort),
    )
