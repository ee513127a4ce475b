"""A workspace's connections: who the portal sees through, "Connect my AAC account",
and each connection's buttons (test, refresh, remove).

A pasted pair is the operator's own connection: they may remove it here (the
admin removes anyone's). Test and refresh are tasks: the button answers at once
with a fragment that follows the task's row until it ends (docs/reliability.md
rule 14).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from activity.log import record
from activity.models import Action as Logged
from activity.models import Outcome
from pages.answers import button_answer
from pages.cards import connection_rows, person_names, workspace_cards
from pages.poller import Poller
from schedules.connections import remove_connection
from schedules.models import SyncRun
from schedules.queries import Summary
from schedules.queueing import welcome_connection
from workspaces import access
from workspaces.forms import TOKEN_FIELDS, ConnectionForm
from workspaces.models import ConnectionTask, Workspace
from workspaces.queueing import (
    NotQueued,
    QueueUnavailable,
    queue_connection_task,
)
from workspaces.tokens.problems import REAUTH_HELP

Action = ConnectionTask.Action
PRESSES = {Action.TEST: Logged.TEST_CONNECTION, Action.REFRESH: Logged.REFRESH_TOKENS}


def connections(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = access.visible_workspace_or_404(request.user, workspace_id)
    form = ConnectionForm(workspace=workspace, added_by=request.user)
    return _page(request, workspace, form)


@require_POST
@sensitive_variables()
@sensitive_post_parameters(*TOKEN_FIELDS)
def connect(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """ "Connect my AAC account": the operator's own pair becomes a connection,
    tested at once, and the workspace is synced through it."""
    workspace = access.operable_workspace_or_403(request.user, workspace_id)
    form = ConnectionForm(request.POST, workspace=workspace, added_by=request.user)
    if not form.is_valid():
        return _page(request, workspace, form, status=400)
    connection = form.save()
    who = person_names(workspace).get(connection.aac_person_id, connection.person)
    _record(request, connection, Logged.CONNECTION_ADDED, Outcome.SUCCEEDED, who=who)
    welcome = welcome_connection(
        connection,
        trigger=SyncRun.Trigger.BUTTON,
        requested_by=request.user,
        who=who,
    )
    (messages.success if welcome.ok else messages.warning)(request, welcome.message)
    return redirect("pages:connections", workspace_id=workspace.pk)


@require_POST
def connection_test(request: HttpRequest, connection_id: int) -> HttpResponse:
    return _press(request, connection_id, Action.TEST)


@require_POST
def connection_refresh(request: HttpRequest, connection_id: int) -> HttpResponse:
    return _press(request, connection_id, Action.REFRESH)


@require_POST
def connection_remove(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = access.visible_connection_or_404(request.user, connection_id)
    if not access.may_remove_connection(request.user, connection):
        raise PermissionDenied("Only whoever added a connection removes it here")
    removed = remove_connection(connection)
    schedules = removed.deleted.get("schedules", 0)
    _record(
        request,
        connection,
        Logged.CONNECTION_REMOVED,
        Outcome.SUCCEEDED,
        message=f"{schedules:,} schedules only it listed are gone.",
    )
    messages.success(
        request,
        f"Removed {removed.connection}; its tokens are wiped, and {schedules:,} "
        "schedules only it listed are gone.",
    )
    return redirect("pages:connections", workspace_id=connection.workspace_id)


@require_GET
def connection_task(request: HttpRequest, task_id: int) -> HttpResponse:
    """A pressed test or refresh, as the button's fragment shows it; it polls
    itself while the task is queued or running."""
    tasks = access.scope(
        ConnectionTask.objects.select_related("connection__workspace"),
        request.user,
        workspace="connection__workspace",
    )
    task = tasks.filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task")
    response = render(request, "pages/_connection_task.html", {"task": task})
    if not task.is_active:
        # The page reloads its data: the connection's state has changed.
        trigger_client_event(response, "connection-checked")
    return response


def _press(request: HttpRequest, connection_id: int, action: str) -> HttpResponse:
    connection = access.operable_connection_or_403(request.user, connection_id)
    back = reverse("pages:connections", args=[connection.workspace_id])
    logged = PRESSES[action]
    try:
        task = queue_connection_task(connection, action, requested_by=request.user)
    except NotQueued as exc:
        _record(request, connection, logged, Outcome.REFUSED, message=exc.message)
        return button_answer(request, message=exc.message, back=back, status=409)
    except QueueUnavailable as exc:
        _record(request, connection, logged, Outcome.REFUSED, message=exc.message)
        return button_answer(request, message=exc.message, back=back, status=503)
    _record(request, connection, logged, Outcome.QUEUED, message=f"Task {task.pk}.")
    return button_answer(
        request,
        message=f"{Action(action).label} of {connection.person} queued.",
        back=back,
        task=task,
    )


def _record(
    request: HttpRequest,
    connection,
    action: str,
    outcome: str,
    *,
    message: str = "",
    who: str = "",
) -> None:
    record(
        action,
        outcome=outcome,
        user=request.user,
        workspace=connection.workspace,
        target_kind="connection",
        target_id=connection.pk,
        target_name=who or connection.person,
        message=message,
    )


def _page(
    request: HttpRequest,
    workspace: Workspace,
    form: ConnectionForm,
    *,
    status: int = 200,
) -> HttpResponse:
    [card] = workspace_cards(
        Workspace.objects.filter(pk=workspace.pk),
        summary=Summary(by_workspace={}),
        operable=access.operable_ids(request.user),
        now=timezone.now(),
    )
    rows = connection_rows(workspace, request.user, last_sync=card.facts.last_finished)
    poller = Poller(active=card.active is not None, workspace_id=workspace.pk)
    context = {
        "poller": poller,
        "workspace": workspace,
        "card": card,
        "rows": rows,
        "coverage": card.coverage,
        "form": form,
        "can_operate": access.may_operate(request.user, workspace),
        "reauth_help": REAUTH_HELP,
    }
    return render(request, "pages/connections.html", context, status=status)
