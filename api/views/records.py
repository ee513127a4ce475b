"""What the portal found wrong (findings) and who did what (the activity log),
as the attention and activity pages filter them."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Order, PageQuery, paginate
from api.serializers import ActivitySerializer, FindingSerializer, page_of
from api.views.lists import page_response, params_of
from api.views.schedules import choices
from attention.listing import AttentionFilterForm, filtered
from attention.models import Finding
from schedules.listing import workspace_choices
from workspaces import access
from workspaces.activity_log import ActivityFilterForm, filter_entries, visible_entries


class FindingList(APIView):
    @extend_schema(
        operation_id="findings_list",
        parameters=[
            OpenApiParameter("workspace", int, description="A workspace's portal id."),
            OpenApiParameter("severity", enum=choices(AttentionFilterForm, "severity")),
            OpenApiParameter("rule", enum=choices(AttentionFilterForm, "rule")),
            OpenApiParameter(
                "show",
                enum=choices(AttentionFilterForm, "show"),
                description='"open" (default), "muted" or recently "resolved".',
            ),
            PageQuery,
        ],
        responses=page_of(FindingSerializer),
    )
    def get(self, request: Request) -> Response:
        """What the rules found wrong in the workspaces you may see, latest
        first, as the attention page filters it."""
        form = AttentionFilterForm(
            request.query_params, workspaces=workspace_choices(request.user)
        )
        params = params_of(form)
        findings = access.scope(Finding.objects.all(), request.user)
        findings = filtered(findings, params, now=timezone.now())
        order = Order("opened_at", descending=True)
        return page_response(
            paginate(findings, request, order), request, FindingSerializer
        )


class ActivityList(APIView):
    @extend_schema(
        operation_id="activity_list",
        parameters=[
            OpenApiParameter("user", description="A username, exactly."),
            OpenApiParameter("workspace", int, description="A workspace's portal id."),
            OpenApiParameter("action", enum=choices(ActivityFilterForm, "action")),
            OpenApiParameter("since", str, description="From this day (YYYY-MM-DD)."),
            OpenApiParameter("until", str, description="To this day, included."),
            PageQuery,
        ],
        responses=page_of(ActivitySerializer),
    )
    def get(self, request: Request) -> Response:
        """The activity log of the workspaces you may see, and your own
        logins, newest first, as the activity page filters it (days in UTC)."""
        form = ActivityFilterForm(
            request.query_params, workspaces=workspace_choices(request.user)
        )
        entries = filter_entries(visible_entries(request.user), params_of(form))
        order = Order("at", descending=True)
        return page_response(
            paginate(entries, request, order), request, ActivitySerializer
        )
