"""Run now, enable and disable (one schedule or many), maintenance windows: the
services of `actions`, as the action pages call them.

Each is refused for the pages' reasons, records the token's user in the
activity log (the services do), and asks for its confirmation explicitly
(`"confirm": true`). What they queue answers 202 and is followed at its own
URL.
"""

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.bulk import create_bulk_change, visible_change_or_404, visible_items
from actions.models import BulkChange, Change, RunRequest, Window
from actions.runs import (
    AlreadyPressed,
    connection_for,
    new_execution_id,
    request_run,
    target_of,
)
from actions.selection import selection_of
from actions.windows import (
    WindowRefused,
    cancel_window,
    create_window,
    end_early,
    may_act_on,
    visible_window_or_404,
    visible_windows,
)
from api.errors import Refused
from api.idempotency import idempotent
from api.pagination import Order, PageQuery, paginate
from api.serializers import (
    ChangeRequestSerializer,
    ChangeSerializer,
    RunNowSerializer,
    RunRequestSerializer,
    WindowRequestSerializer,
    WindowSerializer,
    page_of,
)
from api.views.lists import page_response
from api.views.workspaces import IDEMPOTENCY
from workspaces import access
from workspaces.acting import NoConnection
from workspaces.queueing import QueueUnavailable

# The URL's plural -> the kind run now's target names.
KINDS = {
    "schedules": "schedule",
    "plans": "plan",
    "flows": "flow",
    "workflows": "workflow",
}


class RunNow(APIView):
    @extend_schema(
        operation_id="run_now",
        request=RunNowSerializer,
        parameters=[
            OpenApiParameter("kind", enum=list(KINDS), location=OpenApiParameter.PATH),
            IDEMPOTENCY,
        ],
        responses={202: RunRequestSerializer},
    )
    @idempotent
    def post(self, request: Request, workspace_id: int, kind: str, aac_id: str):
        """Run a schedule's task, a plan, a flow or a workflow in AAC now, as
        "Run now" does: 202 with the request; follow it at
        /api/v1/run-requests/{id}/."""
        workspace = access.operable_workspace_or_403(request.user, workspace_id)
        if kind not in KINDS:
            raise Refused("No such kind.", code="not_found", status=404)
        target = target_of(workspace, KINDS[kind], aac_id)
        RunNowSerializer(data=request.data).is_valid(raise_exception=True)
        if target.refusal:
            raise Refused(target.refusal, code="not_runnable", status=409)
        try:
            connection_for(target)
            run = request_run(
                actor=request.user, target=target, execution_id=new_execution_id()
            )
        except NoConnection as exc:
            raise Refused(exc.message, code="no_connection") from None
        except AlreadyPressed as exc:
            raise Refused(
                f"Already pressed by {exc.request.requested_by_name}: "
                f"run request {exc.request.pk} has not started yet.",
                code="already_pressed",
            ) from None
        except QueueUnavailable as exc:
            raise Refused(exc.message, code="queue_unavailable", status=503) from None
        return Response(RunRequestSerializer(run).data, status=202)


class RunRequestDetail(APIView):
    @extend_schema(operation_id="run_requests_retrieve", responses=RunRequestSerializer)
    def get(self, request: Request, run_id: int) -> Response:
        """A press of "Run now", by its portal id."""
        runs = access.scope(RunRequest.objects.all(), request.user)
        run = runs.filter(pk=run_id).first()
        if run is None:
            raise Refused("No such run request", code="not_found", status=404)
        return Response(RunRequestSerializer(run).data)


def _selection(request: Request, data: dict):
    """The schedules the body names, as the action pages' forms name them."""
    query = QueryDict(mutable=True)
    if "filter" in data:
        query.update({**data["filter"], "all": "1"})
    else:
        query.setlist("s", [str(pk) for pk in data["schedules"]])
    return selection_of(request.user, query)


def _operator_or_403(request: Request, what: str) -> None:
    if not access.may_operate_any(request.user):
        raise PermissionDenied(f"Viewers cannot {what}")


class ChangeCreate(APIView):
    @extend_schema(
        operation_id="changes_create",
        request=ChangeRequestSerializer,
        parameters=[IDEMPOTENCY],
        responses={202: ChangeSerializer},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Enable or disable schedules in AAC (by ids or a filter), as the
        table's buttons do; the schedules of workspaces you only view are left
        alone. 202; follow it at /api/v1/changes/{id}/."""
        _operator_or_403(request, "enable or disable schedules")
        body = ChangeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        selection = _selection(request, data)
        try:
            change = create_bulk_change(
                actor=request.user,
                action=Change(data["action"]),
                schedules=selection.schedules,
                reason=data["reason"],
                chosen=selection.chosen,
            )
        except QueueUnavailable as exc:
            raise Refused(exc.message, code="queue_unavailable", status=503) from None
        return Response(_change_data(request, change), status=202)


class ChangeDetail(APIView):
    @extend_schema(operation_id="changes_retrieve", responses=ChangeSerializer)
    def get(self, request: Request, change_id: int) -> Response:
        """An enable or disable, with each schedule's result."""
        change = visible_change_or_404(request.user, change_id)
        return Response(_change_data(request, change))


def _change_data(request: Request, change: BulkChange) -> dict:
    change.shown_items = list(visible_items(request.user, change).order_by("id"))
    return ChangeSerializer(change).data


class WindowList(APIView):
    @extend_schema(
        operation_id="windows_list",
        parameters=[PageQuery],
        responses=page_of(WindowSerializer),
    )
    def get(self, request: Request) -> Response:
        """Maintenance windows over your workspaces, and your own, latest
        start first; each with its schedules."""
        windows = visible_windows(request.user).prefetch_related("items")
        page = paginate(windows, request, Order("starts_at", descending=True))
        visible = set(
            access.visible_workspaces(request.user).values_list("pk", flat=True)
        )
        for window in page.rows:
            items = window.items.all()
            window.shown_items = [i for i in items if i.workspace_id in visible]
        return page_response(page, request, WindowSerializer)

    @extend_schema(
        operation_id="windows_create",
        request=WindowRequestSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: WindowSerializer},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """A maintenance window: the enabled schedules it covers are disabled
        in AAC at `starts_at` and enabled again at `ends_at` (by beat)."""
        _operator_or_403(request, "pause schedules")
        body = WindowRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        selection = _selection(request, data)
        try:
            window = create_window(
                actor=request.user,
                schedules=selection.schedules,
                reason=data["reason"],
                chosen=selection.chosen,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except WindowRefused as exc:
            raise Refused(exc.message, code="invalid", status=400) from None
        return Response(_window_data(request, window), status=201)


class WindowDetail(APIView):
    @extend_schema(operation_id="windows_retrieve", responses=WindowSerializer)
    def get(self, request: Request, window_id: int) -> Response:
        """A window, with each of its schedules' state."""
        window = visible_window_or_404(request.user, window_id)
        return Response(_window_data(request, window))


def window_action(act, operation: str, summary: str):
    """Cancel a window that has not started, or end a started one early."""

    class WindowAction(APIView):
        @extend_schema(
            operation_id=operation,
            summary=summary,
            request=None,
            parameters=[IDEMPOTENCY],
            responses=WindowSerializer,
        )
        @idempotent
        def post(self, request: Request, window_id: int) -> Response:
            window = visible_window_or_404(request.user, window_id)
            if not may_act_on(request.user, window):
                raise PermissionDenied(
                    "Only operators of its workspaces change a window"
                )
            try:
                act(actor=request.user, window=window)
            except WindowRefused as exc:
                raise Refused(exc.message, code="refused") from None
            window.refresh_from_db()
            return Response(_window_data(request, window))

    return WindowAction


def _window_data(request: Request, window: Window) -> dict:
    window.shown_items = list(
        access.scope(window.items.all(), request.user).order_by("id")
    )
    return WindowSerializer(window).data


WindowCancel = window_action(
    cancel_window, "windows_cancel", "Cancel a window that has not started"
)
WindowEnd = window_action(
    end_early, "windows_end", "End a started window now: re-enable what it disabled"
)
