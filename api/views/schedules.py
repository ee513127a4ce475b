"""The schedules list (the table's filters, search and sort) and one schedule
with its recent runs."""

from django.db.models import F
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Order, PageQuery, paginate
from api.serializers import ScheduleDetailSerializer, ScheduleSerializer, page_of
from api.views.lists import page_response, params_of
from schedules.assets.listing import newest_first
from schedules.listing import (
    DEFAULT_SORT,
    SORTS,
    ScheduleFilterForm,
    filter_schedules,
    workspace_choices,
)
from schedules.models import Run, Schedule
from workspaces import access

RECENT_RUNS = 25
# The model fields a row reads (the serializer's, less the annotation).
ROW_FIELDS = [
    name for name in ScheduleSerializer.Meta.fields if name != "workspace_name"
]


def choices(form, name: str) -> list[str]:
    """The values a filter of `form` takes, for the schema."""
    return [value for value, _ in form.base_fields[name].choices if value]


SCHEDULE_FILTERS = [
    OpenApiParameter("q", description="Search names, targets and owners."),
    OpenApiParameter("workspace", int, description="A workspace's portal id."),
    OpenApiParameter("owner", description="The owner's e-mail, exactly."),
    OpenApiParameter("task", enum=choices(ScheduleFilterForm, "task")),
    OpenApiParameter("trigger", enum=choices(ScheduleFilterForm, "trigger")),
    OpenApiParameter("enabled", enum=["yes", "no"]),
    OpenApiParameter("owner_disabled", enum=["yes", "no"]),
    OpenApiParameter(
        "sort",
        enum=choices(ScheduleFilterForm, "sort"),
        description=f'A column, "-" first for descending; default "{DEFAULT_SORT}".',
    ),
]


class ScheduleList(APIView):
    @extend_schema(
        operation_id="schedules_list",
        parameters=[*SCHEDULE_FILTERS, PageQuery],
        responses=page_of(ScheduleSerializer),
    )
    def get(self, request: Request) -> Response:
        """The schedules of every workspace you may see, as the table lists them."""
        form = ScheduleFilterForm(
            request.query_params, workspaces=workspace_choices(request.user)
        )
        params = params_of(form)
        rows = filter_schedules(
            access.scope(Schedule.objects.all(), request.user), params
        )
        rows = rows.only(*ROW_FIELDS).annotate(workspace_name=F("workspace__name"))
        order = Order.of(params.get("sort", DEFAULT_SORT), SORTS)
        return page_response(
            paginate(rows, request, order), request, ScheduleSerializer
        )


class ScheduleDetail(APIView):
    @extend_schema(
        operation_id="schedules_retrieve",
        parameters=[
            OpenApiParameter("workspace_id", int, OpenApiParameter.PATH),
            OpenApiParameter("aac_id", OpenApiTypes.INT64, OpenApiParameter.PATH),
        ],
        responses=ScheduleDetailSerializer,
    )
    def get(self, request: Request, workspace_id: int, aac_id: int) -> Response:
        """A schedule, by its workspace's portal id and its AAC id, with its
        recent runs."""
        workspace = access.visible_workspace_or_404(request.user, workspace_id)
        found = Schedule.objects.defer("raw").annotate(
            workspace_name=F("workspace__name")
        )
        item = get_object_or_404(found, workspace=workspace, aac_id=aac_id)
        runs = Run.objects.filter(workspace=workspace, schedule_aac_id=item.aac_id)
        item.recent_runs = list(
            newest_first(runs).annotate(workspace_name=F("workspace__name"))[
                :RECENT_RUNS
            ]
        )
        return Response(ScheduleDetailSerializer(item).data)
