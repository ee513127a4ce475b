"""The portal's pages and buttons. Thin: scoped querysets in, templates out.

Everything reads through `Workspace.objects.visible_to(request.user)` (404
outside it); buttons also need `operable_by` (403 for a viewer) and a POST with
CSRF. A button answers at once; the page's poller then shows the run's progress.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event
from kombu.exceptions import OperationalError

from schedules.cards import (
    ACTIVE,
    REAUTH_HELP,
    operable_ids,
    scoped_workspaces,
    workspace_cards,
)
from schedules.models import Schedule, SyncRun
from schedules.queries import (
    kind_chart,
    owner_chart,
    summarise,
    upcoming_chart,
    visible_schedules,
    workspace_chart,
)
from schedules.queueing import QueueError, queue_sync, queue_sync_all
from schedules.tables import ScheduleFilterForm, build_table, csv_lines, table_rows
from workspaces.models import Workspace
from workspaces.tasks import refresh_workspace_tokens

logger = logging.getLogger(__name__)

HISTORY = 20


@dataclass
class Poller:
    """Polls the runs of a page's workspaces while any is queued or running."""

    active: bool
    workspace_id: int | None = None
    since: datetime | None = None

    @property
    def url(self) -> str:
        since = (self.since or timezone.now()).timestamp()
        query = f"since={since:.6f}"
        if self.workspace_id:
            query += f"&workspace={self.workspace_id}"
        return f"{reverse('sync_status')}?{query}"


def dashboard(request):
    now = timezone.now()
    schedules = visible_schedules(request.user)
    summary = summarise(schedules, now=now)
    cards = workspace_cards(
        scoped_workspaces(request.user),
        summary=summary,
        operable=operable_ids(request.user),
        now=now,
    )
    charts = [
        owner_chart(schedules, total=summary.total("schedules"), scope={}),
        kind_chart(summary, "task"),
        workspace_chart([card.workspace for card in cards], summary),
        kind_chart(summary, "trigger"),
        upcoming_chart(schedules, now=now, wide=True),
    ]
    context = {
        "cards": cards,
        "totals": summary.totals,
        "charts": charts,
        "can_operate_any": any(card.can_operate for card in cards),
        "poller": Poller(active=any(card.active for card in cards), since=now),
        "reauth_help": REAUTH_HELP,
    }
    return render(request, "schedules/dashboard.html", context)


def workspace(request, workspace_id):
    now = timezone.now()
    visible = scoped_workspaces(request.user).filter(pk=workspace_id)
    if not visible.exists():
        raise Http404("No such workspace")
    schedules = Schedule.objects.filter(workspace_id=workspace_id)
    summary = summarise(schedules, now=now)
    [card] = workspace_cards(
        visible, summary=summary, operable=operable_ids(request.user), now=now
    )
    scope = {"workspace": workspace_id}
    context = {
        "card": card,
        "totals": summary.totals,
        "charts": [
            owner_chart(schedules, total=summary.total("schedules"), scope=scope),
            kind_chart(summary, "task"),
            kind_chart(summary, "trigger"),
            upcoming_chart(schedules, now=now),
        ],
        "table": build_table(schedules, request.GET, workspaces=None, scope=scope),
        "history": SyncRun.objects.filter(workspace_id=workspace_id)[:HISTORY],
        "poller": Poller(
            active=card.active is not None, workspace_id=workspace_id, since=now
        ),
        "reauth_help": REAUTH_HELP,
        "now": now,
    }
    return render(request, "schedules/workspace.html", context)


def _workspace_choices(user) -> list[tuple[int, str]]:
    return list(scoped_workspaces(user).values_list("pk", "name"))


def schedule_list(request):
    table = build_table(
        visible_schedules(request.user),
        request.GET,
        workspaces=_workspace_choices(request.user),
    )
    return render(request, "schedules/schedule_list.html", {"table": table})


def schedule_csv(request):
    """Exactly the rows the table shows for the same query string, streamed."""
    form = ScheduleFilterForm(request.GET, workspaces=_workspace_choices(request.user))
    rows = table_rows(visible_schedules(request.user), form.params())
    # The response is consumed after this view returns and the middleware
    # has deactivated the viewer's timezone: hand it over explicitly.
    tz = timezone.get_current_timezone()
    response = StreamingHttpResponse(
        csv_lines(rows, tz=tz), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime(timezone=tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="schedules-{stamp}.csv"'
    return response


@require_GET
def sync_status(request):
    """The runs of the page's workspaces that are active or finished since `since`.

    Answers with the poller (which keeps polling while a run is queued or
    running) and each run's status as an out-of-band swap. When one of them
    succeeded, the `sync-succeeded` event makes the page reload its data.
    """
    now = timezone.now()
    workspaces = scoped_workspaces(request.user)
    workspace_id = request.GET.get("workspace")
    if workspace_id is not None:
        workspace_id = int(workspace_id) if workspace_id.isdigit() else 0
        workspaces = workspaces.filter(pk=workspace_id)
        if not workspaces.exists():
            raise Http404("No such workspace")
    since = _since(request.GET.get("since"), default=now)
    runs = SyncRun.objects.filter(workspace__in=workspaces).filter(
        Q(status__in=ACTIVE) | Q(finished_at__gte=since)
    )
    latest = {}
    for run in runs.order_by("-queued_at", "-id"):
        latest.setdefault(run.workspace_id, run)
    context = {
        "runs": latest.values(),
        "poller": Poller(
            active=any(run.status in ACTIVE for run in latest.values()),
            workspace_id=workspace_id,
            since=now,
        ),
    }
    response = render(request, "schedules/_sync_poll.html", context)
    if any(run.status == SyncRun.Status.SUCCEEDED for run in latest.values()):
        trigger_client_event(response, "sync-succeeded")
    return response


def _since(value: str | None, *, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return default


def _operable_workspace(request, workspace_id) -> Workspace:
    """404 outside the user's workspaces, 403 when they may only look."""
    ws = get_object_or_404(scoped_workspaces(request.user), pk=workspace_id)
    if not Workspace.objects.operable_by(request.user).filter(pk=ws.pk).exists():
        raise PermissionDenied("Viewers cannot start syncs or refreshes")
    return ws


def _button_answer(
    request,
    *,
    message: str,
    runs: list[SyncRun],
    poller: Poller | None,
    back: str,
    status: int = 200,
    reload_later: bool = False,
):
    """htmx gets a fragment to swap in; a plain form post a message and redirect.

    `reload_later` has the page fetch its data again a moment later, for work
    without a run to watch (a token refresh).
    """
    ok = status < 400
    if not request.htmx:
        (messages.success if ok else messages.error)(request, message)
        return redirect(back)
    context = {
        "message": message,
        "ok": ok,
        "runs": runs,
        "poller": poller,
        "reload_url": request.htmx.current_url_abs_path if reload_later else None,
    }
    return render(request, "schedules/_button_answer.html", context, status=status)


def _refusal(exc: QueueError) -> int:
    """503 when the broker is down, 409 when a sync is already under way."""
    return 503 if exc.unavailable else 409


def _press(request, queue, *, poller: Poller, back: str, done):
    """Run a sync button's `queue()`; answer with `done(runs)` or why it refused."""
    try:
        runs = queue()
    except QueueError as exc:
        return _button_answer(
            request,
            message=exc.message,
            runs=[],
            poller=poller,
            back=back,
            status=_refusal(exc),
        )
    return _button_answer(
        request, message=done(runs), runs=runs, poller=poller, back=back
    )


@require_POST
def workspace_sync(request, workspace_id):
    ws = _operable_workspace(request, workspace_id)
    return _press(
        request,
        lambda: [queue_sync(workspace=ws, trigger=SyncRun.Trigger.BUTTON)],
        poller=Poller(active=True, workspace_id=ws.pk, since=timezone.now()),
        back=ws.get_absolute_url(),
        done=lambda runs: f"Sync of {ws} queued.",
    )


@require_POST
def sync_all(request):
    if not operable_ids(request.user):
        raise PermissionDenied("Viewers cannot start syncs")
    return _press(
        request,
        lambda: queue_sync_all(user=request.user, trigger=SyncRun.Trigger.BUTTON),
        poller=Poller(active=True, since=timezone.now()),
        back=reverse("dashboard"),
        done=_queued_message,
    )


def _queued_message(runs: list[SyncRun]) -> str:
    if not runs:
        return "Nothing queued: every workspace you operate is inactive or syncing."
    return f"{len(runs)} sync{'s' * (len(runs) != 1)} queued."


@require_POST
def workspace_refresh_tokens(request, workspace_id):
    ws = _operable_workspace(request, workspace_id)
    try:
        refresh_workspace_tokens.delay_on_commit(ws.pk, force=True)
    except OperationalError:
        logger.warning("token refresh of workspace %s not queued: broker down", ws.pk)
        return _button_answer(
            request,
            message="background queue unavailable",
            runs=[],
            poller=None,
            back=ws.get_absolute_url(),
            status=503,
        )
    return _button_answer(
        request,
        message="Token refresh queued.",
        runs=[],
        poller=None,
        back=ws.get_absolute_url(),
        reload_later=True,
    )
