"""A connection's "Refresh tokens" button, and the progress of what it queued."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.log import record
from activity.models import Action, Outcome
from api.errors import Refused
from api.idempotency import idempotent
from api.serializers import ConnectionTaskSerializer
from api.views.workspaces import IDEMPOTENCY
from workspaces import access
from workspaces.models import ConnectionTask
from workspaces.queueing import NotQueued, QueueUnavailable, queue_connection_task


class ConnectionRefresh(APIView):
    @extend_schema(
        operation_id="connections_refresh",
        request=None,
        parameters=[IDEMPOTENCY],
        responses={202: ConnectionTaskSerializer},
    )
    @idempotent
    def post(self, request: Request, connection_id: int) -> Response:
        """Refresh a connection's tokens now, as its button does: 202 with the
        queued task; follow it at /api/v1/connection-tasks/{id}/."""
        connection = access.operable_connection_or_403(request.user, connection_id)
        try:
            task = queue_connection_task(
                connection, ConnectionTask.Action.REFRESH, requested_by=request.user
            )
        except NotQueued as exc:
            _record(request, connection, Outcome.REFUSED, exc.message)
            raise Refused(exc.message, code="not_queued") from None
        except QueueUnavailable as exc:
            _record(request, connection, Outcome.REFUSED, exc.message)
            raise Refused(exc.message, code="queue_unavailable", status=503) from None
        _record(request, connection, Outcome.QUEUED, f"Task {task.pk}.")
        return Response(ConnectionTaskSerializer(task).data, status=202)


def _record(request: Request, connection, outcome: str, message: str) -> None:
    """The activity row the "Refresh tokens" button writes."""
    record(
        Action.REFRESH_TOKENS,
        outcome=outcome,
        user=request.user,
        workspace=connection.workspace,
        target_kind="connection",
        target_id=connection.pk,
        target_name=connection.person,
        message=message,
    )


class ConnectionTaskDetail(APIView):
    @extend_schema(
        operation_id="connection_tasks_retrieve", responses=ConnectionTaskSerializer
    )
    def get(self, request: Request, task_id: int) -> Response:
        """A queued test or refresh of a connection, by its portal id."""
        tasks = access.scope(
            ConnectionTask.objects.all(),
            request.user,
            workspace="connection__workspace",
        )
        return Response(
            ConnectionTaskSerializer(get_object_or_404(tasks, pk=task_id)).data
        )
