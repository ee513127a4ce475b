"""The filters, search and sort of the asset tables and the runs table.

One definition for the pages (`pages/assets.py`, `pages/runs.py`) and the
API, so a filter means the same wherever it is used. Runs go newest first and
page by a cursor (the creation time and id of the row a page starts after):
the first page and the thousandth cost one index range each.
"""

from datetime import UTC, datetime

from django import forms
from django.db.models import Q, QuerySet

from schedules.assets.models import Asset, AssetKind, RanFrom, Run, RunStatus
from schedules.listing import YES_NO, order_by_sort, sort_choices

# ?sort= key -> the field an asset table orders on.
ASSET_SORTS = {
    "name": "name",
    "workspace": "workspace__name",
    "last": "last_run_at",
    "streak": "failure_streak",
}
DEFAULT_ASSET_SORT = "name"
# What a run's row shows, and nothing else (never `raw`).
RUN_FIELDS = (
    "id",
    "workspace_id",
    "aac_id",
    "run_aac_id",
    "asset_kind",
    "asset_aac_id",
    "asset_name",
    "schedule_aac_id",
    "status",
    "ranfrom",
    "run_by_aac_id",
    "aac_created_at",
    "started_at",
    "finished_at",
    "duration_seconds",
    "error_message",
)


class AssetFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    q = forms.CharField(label="Name", required=False, max_length=200)
    workspace = forms.TypedChoiceField(label="Workspace", required=False, coerce=int)
    failing = forms.ChoiceField(label="Failing now", required=False, choices=YES_NO)
    sort = forms.ChoiceField(
        required=False, choices=sort_choices(ASSET_SORTS), widget=forms.HiddenInput
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
    field = ASSET_SORTS[sort.lstrip("-")]
    return order_by_sort(assets, field, descending=sort.startswith("-"))


class RunFilterForm(forms.Form):
    """Validates the query string; an invalid value is ignored, never a 500."""

    workspace = forms.TypedChoiceField(label="Workspace", required=False, coerce=int)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any"), *RunStatus.choices]
    )
    kind = forms.ChoiceField(
        label="Asset kind", required=False, choices=[("", "Any"), *AssetKind.choices]
    )
    ranfrom = forms.ChoiceField(
        label="How started",
        required=False,
        choices=[("", "Any"), *[c for c in RanFrom.choices if c[0]]],
    )
    start = forms.DateTimeField(
        label="Created from",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    end = forms.DateTimeField(
        label="Created before",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    after = forms.RegexField(
        regex=r"^[0-9]{1,17}-[0-9]{1,18}$", required=False, widget=forms.HiddenInput
    )

    def __init__(self, data, *, workspaces: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["workspace"].choices = [("", "All"), *workspaces]

    def params(self) -> dict:
        """The valid, non-empty parameters."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}

    def filters(self) -> dict:
        """The filters alone, without the cursor of the page."""
        return {k: v for k, v in self.params().items() if k != "after"}


def filter_runs(runs: QuerySet[Run], params: dict) -> QuerySet[Run]:
    if "workspace" in params:
        runs = runs.filter(workspace_id=params["workspace"])
    if "status" in params:
        runs = runs.filter(status=params["status"])
    if "kind" in params:
        runs = runs.filter(asset_kind=params["kind"])
    if "ranfrom" in params:
        runs = runs.filter(ranfrom=params["ranfrom"])
    if "start" in params:
        runs = runs.filter(aac_created_at__gte=params["start"])
    if "end" in params:
        runs = runs.filter(aac_created_at__lt=params["end"])
    return runs


def cursor_of(run: Run) -> str:
    """The `after` value of the page that follows `run`."""
    micros = int(run.aac_created_at.timestamp() * 1_000_000)
    return f"{micros}-{run.pk}"


def after(cursor: str) -> Q:
    """The runs older than the one `cursor` names (a `cursor_of` value)."""
    micros, pk = (int(part) for part in cursor.split("-"))
    try:
        created = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return Q(pk__in=[])
    # (created, id) < (created, pk), with a bound an index range can use.
    return Q(aac_created_at__lte=created) & (
        Q(aac_created_at__lt=created) | Q(pk__lt=pk)
    )


def newest_first(runs: QuerySet[Run]) -> QuerySet[Run]:
    """The runs' rows, newest first (the `run_created_id` index, or a
    workspace's `run_ws_created_id`)."""
    return runs.only(*RUN_FIELDS).order_by("-aac_created_at", "-id")
