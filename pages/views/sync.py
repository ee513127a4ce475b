"""The sync buttons ("Re-sync now", "Re-sync all") and the status poll behind them."""

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from activity.log import record
from activity.models import Action, Outcome
from pages.answers import button_answer, queue_refusal
from pages.poller import Poller
from schedules.models import SyncRun
from schedules.queueing import QueueError, queue_sync, queue_sync_all
from workspaces import access


@require_POST
def workspace_sync(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = access.operable_workspace_or_403(request.user, workspace_id)
    poller = Poller(active=True, workspace_id=workspace.pk, since=timezone.now())
    back = workspace.get_absolute_url()
    try:
        run = queue_sync(
            workspace=workspace,
            trigger=SyncRun.Trigger.BUTTON,
            requested_by=request.user,
        )
    except QueueError as exc:
        _record(request, workspace, Outcome.REFUSED, exc.message)
        return queue_refusal(request, exc, poller=poller, back=back)
    _record(request, workspace, Outcome.QUEUED, f"Sync {run.pk} queued.")
    message = f"Sync of {workspace} queued."
    return button_answer(request, message=message, runs=[run], poller=poller, back=back)


@require_POST
def sync_all(request: HttpRequest) -> HttpResponse:
    if not access.may_operate_any(request.user):
        raise PermissionDenied("Viewers cannot start syncs")
    poller = Poller(active=True, since=timezone.now())
    back = reverse("pages:dashboard")
    try:
        runs = queue_sync_all(user=request.user, trigger=SyncRun.Trigger.BUTTON)
    except QueueError as exc:
        _record(request, None, Outcome.REFUSED, exc.message)
        return queue_refusal(request, exc, poller=poller, back=back)
    for run in runs:
        _record(request, run.workspace, Outcome.QUEUED, f"Sync {run.pk} queued.")
    if runs:
        message = f"{len(runs)} sync{'s' * (len(runs) != 1)} queued."
    else:
        message = (
            "Nothing queued: every workspace you operate is inactive, syncing or "
            "without a working connection."
        )
    return button_answer(request, message=message, runs=runs, poller=poller, back=back)


@require_GET
def sync_status(request: HttpRequest) -> HttpResponse:
    """The runs of the page's workspaces that are active or finished since `since`.

    Answers with the poller (which keeps polling while a run is queued or
    running) and each run's status as an out-of-band swap. When one of them
    succeeded, the `sync-succeeded` event makes the page reload its data.
    """
    now = timezone.now()
    workspace_id = _workspace_id(request.GET.get("workspace"))
    runs = access.scope(SyncRun.objects.all(), request.user)
    if workspace_id is not None:
        runs = runs.filter(
            workspace=access.visible_workspace_or_404(request.user, workspace_id)
        )
    latest = _latest_runs(runs, since=_since(request.GET.get("since"), default=now))
    active = any(run.is_active for run in latest.values())
    context = {
        "runs": latest.values(),
        "poller": Poller(active=active, workspace_id=workspace_id, since=now),
    }
    response = render(request, "pages/_sync_poll.html", context)
    if any(run.status == SyncRun.Status.SUCCEEDED for run in latest.values()):
        trigger_client_event(response, "sync-succeeded")
    return response


def _record(request: HttpRequest, workspace, outcome: str, message: str) -> None:
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


def _latest_runs(runs: QuerySet[SyncRun], *, since: datetime) -> dict[int, SyncRun]:
    """Each workspace's newest run that is active or finished since `since`."""
    latest = {}
    active_or_recent = Q(status__in=SyncRun.ACTIVE_STATES) | Q(finished_at__gte=since)
    for run in runs.filter(active_or_recent).order_by("-queued_at", "-id"):
        latest.setdefault(run.workspace_id, run)
    return latest


def _workspace_id(value: str | None) -> int | None:
    """The `workspace` parameter: None when absent, 0 (none) when not a number.

    Only ASCII digits: `str.isdigit` also accepts "²", which `int` refuses.
    """
    if value is None:
        return None
    return int(value) if value.isascii() and value.isdigit() else 0


def _since(value: str | None, *, default: datetime) -> datetime:
    """The `since` parameter (a Unix time), or `default` when it is no time at all.

    A time out of the platform's range raises OverflowError or OSError.
    """
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return default
