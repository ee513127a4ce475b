"""Workspaces (state, coverage, last sync), their sync runs, and the sync
buttons: re-sync one workspace, or every one you operate.

A sync asked for through the API is queued as its button queues it (the same
`schedules.queueing` calls, so the same refusals), recorded as pressed
("button") by the token's user.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.log import record
from activity.models import Action, Outcome
from api.errors import Refused
from api.idempotency import idempotent
from api.pagination import Order, PageQuery, paginate
from api.serializers import (
    ConfirmSerializer,
    SyncAllSerializer,
    SyncRunSerializer,
    WorkspaceListSerializer,
    WorkspaceSerializer,
    page_of,
)
from api.views.lists import page_response
from schedules.coverage import Coverage, coverage_of
from schedules.health import (
    Health,
    health,
    next_automatic_sync,
    sync_facts,
    with_sync_runs,
)
from schedules.models import SyncRun, WorkspaceSummary
from schedules.queueing import QueueError, queue_sync, queue_sync_all
from workspaces import access
from workspaces.models import Connection, Workspace
from workspaces.standing import Standing, standing

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    description="Retry with the same key to be answered, not act twice.",
)


@dataclass
class WorkspaceFacts:
    workspace: Workspace
    standing: Standing
    health: Health
    coverage: Coverage
    may_operate: bool
    schedules: int
    last_sync: SyncRun | None
    last_success: SyncRun | None
    next_sync: datetime | None
    connections: list[Connection] = field(default_factory=list)


def sync_runs() -> QuerySet[SyncRun]:
    """Sync runs with the name of who asked for them."""
    return SyncRun.objects.annotate(requested_by_name=F("requested_by__username"))


def facts_of(workspaces: QuerySet[Workspace], user) -> list[WorkspaceFacts]:
    """What the cards say of each workspace (`schedules.health`,
    `schedules.coverage`): a fixed number of queries, however many."""
    now = timezone.now()
    workspaces = list(
        with_sync_runs(workspaces).prefetch_related("connections").order_by("name")
    )
    facts = sync_facts(workspaces)
    shown = {
        run.pk
        for fact in facts.values()
        for run in (fact.latest, fact.last_success)
        if run is not None
    }
    runs = sync_runs().in_bulk(shown)
    coverage = coverage_of(workspaces)
    counts = dict(
        WorkspaceSummary.objects.filter(
            pk__in=[ws.pk for ws in workspaces]
        ).values_list("pk", "counts")
    )
    operable = access.operable_ids(user)
    out = []
    for ws in workspaces:
        state, fact = standing(ws.connections.all()), facts[ws.pk]
        out.append(
            WorkspaceFacts(
                workspace=ws,
                standing=state,
                health=health(state, fact, now=now),
                coverage=coverage[ws.pk],
                may_operate=ws.pk in operable,
                schedules=counts.get(ws.pk, {}).get("schedules", 0),
                last_sync=runs.get(fact.latest.pk) if fact.latest else None,
                last_success=(
                    runs.get(fact.last_success.pk) if fact.last_success else None
                ),
                next_sync=next_automatic_sync(ws, fact, now=now),
                connections=list(ws.connections.all()),
            )
        )
    return out


class WorkspaceList(APIView):
    @extend_schema(operation_id="workspaces_list", responses=WorkspaceListSerializer)
    def get(self, request: Request) -> Response:
        """Every workspace you may see: its state, coverage and last sync."""
        facts = facts_of(access.visible_workspaces(request.user), request.user)
        return Response({"results": WorkspaceSerializer(facts, many=True).data})


class WorkspaceDetail(APIView):
    @extend_schema(operation_id="workspaces_retrieve", responses=WorkspaceSerializer)
    def get(self, request: Request, workspace_id: int) -> Response:
        """One workspace, by its portal id."""
        workspace = access.visible_workspace_or_404(request.user, workspace_id)
        workspaces = Workspace.objects.filter(pk=workspace.pk)
        return Response(WorkspaceSerializer(facts_of(workspaces, request.user)[0]).data)


class WorkspaceSync(APIView):
    @extend_schema(
        operation_id="workspaces_sync",
        request=None,
        parameters=[IDEMPOTENCY],
        responses={202: SyncRunSerializer},
    )
    @idempotent
    def post(self, request: Request, workspace_id: int) -> Response:
        """Re-sync a workspace, as its "Re-sync now" button does: 202 with the
        queued sync run; follow it at /api/v1/sync-runs/{id}/."""
        workspace = access.operable_workspace_or_403(request.user, workspace_id)
        try:
            run = queue_sync(
                workspace=workspace,
                trigger=SyncRun.Trigger.BUTTON,
                requested_by=request.user,
            )
        except QueueError as exc:
            record_resync(request, workspace, Outcome.REFUSED, exc.message)
            raise _refusal(exc) from None
        record_resync(request, workspace, Outcome.QUEUED, f"Sync {run.pk} queued.")
        run = sync_runs().get(pk=run.pk)
        return Response(SyncRunSerializer(run).data, status=202)


class SyncAll(APIView):
    @extend_schema(
        operation_id="sync_all",
        request=ConfirmSerializer,
        parameters=[IDEMPOTENCY],
        responses={202: SyncAllSerializer},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Re-sync every active workspace you operate, as "Re-sync all" does.

        Asks for `{"confirm": true}`. Workspaces already syncing or without a
        working connection are passed over.
        """
        if not access.may_operate_any(request.user):
            raise PermissionDenied("Viewers cannot start syncs")
        ConfirmSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            runs = queue_sync_all(user=request.user, trigger=SyncRun.Trigger.BUTTON)
        except QueueError as exc:
            record_resync(request, None, Outcome.REFUSED, exc.message)
            raise _refusal(exc) from None
        for run in runs:
            record_resync(
                request, run.workspace, Outcome.QUEUED, f"Sync {run.pk} queued."
            )
        n = len(runs)
        message = f"{n} sync{'s' * (n != 1)} queued."
        runs = sync_runs().filter(pk__in=[run.pk for run in runs]).order_by("pk")
        data = {
            "message": message,
            "sync_runs": SyncRunSerializer(runs, many=True).data,
        }
        return Response(data, status=202)


class SyncRunList(APIView):
    @extend_schema(
        operation_id="sync_runs_list",
        parameters=[
            OpenApiParameter("workspace", int, description="A workspace's portal id."),
            OpenApiParameter("status", enum=list(SyncRun.Status.values)),
            PageQuery,
        ],
        responses=page_of(SyncRunSerializer),
    )
    def get(self, request: Request) -> Response:
        """The sync runs of the workspaces you may see, newest first."""
        runs = access.scope(sync_runs(), request.user)
        if workspace := request.query_params.get("workspace"):
            runs = runs.filter(workspace=_visible(request, workspace))
        if status := request.query_params.get("status"):
            if status not in SyncRun.Status.values:
                raise Refused(f"No such status: {status}.", code="invalid", status=400)
            runs = runs.filter(status=status)
        order = Order("queued_at", descending=True)
        return page_response(paginate(runs, request, order), request, SyncRunSerializer)


class SyncRunDetail(APIView):
    @extend_schema(operation_id="sync_runs_retrieve", responses=SyncRunSerializer)
    def get(self, request: Request, run_id: int) -> Response:
        """One sync run, by its portal id: follow a queued sync to its end."""
        run = get_object_or_404(access.scope(sync_runs(), request.user), pk=run_id)
        return Response(SyncRunSerializer(run).data)


def _visible(request: Request, workspace: str) -> Workspace:
    if not (workspace.isascii() and workspace.isdigit()):
        raise Refused("workspace: a portal id.", code="invalid", status=400)
    return access.visible_workspace_or_404(request.user, int(workspace))


def record_resync(request: Request, workspace, outcome: str, message: str) -> None:
    """The activity row a "Re-sync" button writes, naming the token's user."""
    record(
        Action.RESYNC,
        outcome=outcome,
        user=request.user,
        workspace=workspace,
        target_kind="workspace" if workspace else "",
        target_id=workspace.pk if workspace else "",
        target_name=str(workspace or "every workspace"),
        message=message,
    )


def _refusal(exc: QueueError) -> Refused:
    if exc.unavailable:
        return Refused(exc.message, code="queue_unavailable", status=503)
    return Refused(exc.message, code="not_queued")
