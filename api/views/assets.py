"""The lists of plans, flows and workflows, and of their runs: the tables'
filters, by cursor."""

from django.db.models import F
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Order, PageQuery, paginate
from api.serializers import (
    FlowSerializer,
    PlanSerializer,
    RunSerializer,
    WorkflowSerializer,
    page_of,
)
from api.views.lists import page_response, params_of
from api.views.schedules import choices
from schedules.assets.listing import (
    ASSET_SORTS,
    DEFAULT_ASSET_SORT,
    RUN_FIELDS,
    AssetFilterForm,
    RunFilterForm,
    filter_assets,
    filter_runs,
)
from schedules.assets.models import ASSET_MODELS, AssetKind, Run
from schedules.listing import workspace_choices
from workspaces import access

SERIALIZERS = {
    AssetKind.PLAN: PlanSerializer,
    AssetKind.FLOW: FlowSerializer,
    AssetKind.WORKFLOW: WorkflowSerializer,
}
ASSET_FILTERS = [
    OpenApiParameter("q", description="Search names."),
    OpenApiParameter("workspace", int, description="A workspace's portal id."),
    OpenApiParameter(
        "failing", enum=["yes", "no"], description="Whose last run failed."
    ),
    OpenApiParameter("sort", enum=choices(AssetFilterForm, "sort")),
]
RUN_FILTERS = [
    OpenApiParameter("workspace", int, description="A workspace's portal id."),
    OpenApiParameter("status", enum=choices(RunFilterForm, "status")),
    OpenApiParameter("kind", enum=choices(RunFilterForm, "kind")),
    OpenApiParameter("ranfrom", enum=choices(RunFilterForm, "ranfrom")),
    OpenApiParameter("start", str, description="Created from (ISO 8601)."),
    OpenApiParameter("end", str, description="Created before (ISO 8601)."),
]


class AssetList(APIView):
    kind = AssetKind.PLAN

    def get(self, request: Request) -> Response:
        form = AssetFilterForm(
            request.query_params, workspaces=workspace_choices(request.user)
        )
        params = params_of(form)
        serializer = SERIALIZERS[self.kind]
        model = ASSET_MODELS[self.kind]
        rows = filter_assets(access.scope(model.objects.all(), request.user), params)
        fields = [name for name in serializer.Meta.fields if name != "workspace_name"]
        rows = rows.only(*fields).annotate(workspace_name=F("workspace__name"))
        order = Order.of(params.get("sort", DEFAULT_ASSET_SORT), ASSET_SORTS)
        return page_response(paginate(rows, request, order), request, serializer)


def asset_list(kind: str):
    """The list view of one kind, with its own operation in the schema."""
    plural = f"{kind}s"
    schema = extend_schema(
        operation_id=f"{plural}_list",
        description=f"The {plural} of every workspace you may see, as their table "
        "lists them.",
        parameters=[*ASSET_FILTERS, PageQuery],
        responses=page_of(SERIALIZERS[kind]),
    )

    def get(self, request: Request) -> Response:
        return AssetList.get(self, request)

    return type(f"{kind.title()}List", (AssetList,), {"kind": kind, "get": schema(get)})


class RunList(APIView):
    @extend_schema(
        operation_id="runs_list",
        parameters=[*RUN_FILTERS, PageQuery],
        responses=page_of(RunSerializer),
    )
    def get(self, request: Request) -> Response:
        """The runs of every workspace you may see, newest first, as the runs
        table filters them."""
        form = RunFilterForm(
            request.query_params, workspaces=workspace_choices(request.user)
        )
        params = params_of(form)
        rows = filter_runs(access.scope(Run.objects.all(), request.user), params)
        rows = rows.only(*RUN_FIELDS).annotate(workspace_name=F("workspace__name"))
        order = Order("aac_created_at", descending=True)
        return page_response(paginate(rows, request, order), request, RunSerializer)
