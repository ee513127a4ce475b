"""The tables of plans, flows and workflows across workspaces.

Each row shows the asset, the schedules that run it, its last run and its
failure streak (kept by the sync, so sorting by them is an index scan). The
page's rows are fetched by id after paging through ids, like the schedules
table; their schedules and owners come in one query each.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.urls import reverse

from pages.widgets import ManyOptionsSelect
from schedules.assets.models import ASSET_MODELS, Asset, AssetKind
from schedules.assets.queries import people, schedules_running
from schedules.models import Person, Schedule

PAGE_SIZE = 50
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
# ?sort= key -> field, and its header's label.
SORTS = {
    "name": ("name", "Name"),
    "workspace": ("workspace__name", "Workspace"),
    "last": ("last_run_at", "Last run"),
    "streak": ("failure_streak", "Failure streak"),
}
DEFAULT_SORT = "name"
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


class AssetFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    q = forms.CharField(label="Name", required=False, max_length=200)
    workspace = forms.TypedChoiceField(
        label="Workspace", required=False, coerce=int, widget=ManyOptionsSelect
    )
    failing = forms.ChoiceField(label="Failing now", required=False, choices=YES_NO)
    sort = forms.ChoiceField(
        required=False,
        choices=[(p + key, p + key) for key in SORTS for p in ("", "-")],
        widget=forms.HiddenInput,
    )

    def __init__(self, data, *, workspaces: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["workspace"].choices = [("", "All"), *workspaces]

    def params(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


def filter_assets(assets: QuerySet[Asset], params: dict) -> QuerySet[Asset]:
    if q := params.get("q"):
        assets = assets.filter(name__icontains=q)
    if "workspace" in params:
        assets = assets.filter(workspace_id=params["workspace"])
    if "failing" in params:
        failing = Q(failure_streak__gt=0)
        assets = assets.filter(failing if params["failing"] == "yes" else ~failing)
    return assets


def sort_assets(assets: QuerySet[Asset], sort: str) -> QuerySet[Asset]:
    """As the schedules table sorts: empty values last going up, the id last."""
    expression = F(SORTS[sort.lstrip("-")][0])
    if sort.startswith("-"):
        return assets.order_by(expression.desc(nulls_first=True), "-id")
    return assets.order_by(expression.asc(nulls_last=True), "id")


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
    for key, (_, label) in SORTS.items():
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
    sort = params.get("sort", DEFAULT_SORT)
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
