"""Handing token work to the background queue, and what to say when it cannot go.

A press of "Test connection" or "Refresh tokens" becomes a `ConnectionTask`
row and a task published after the transaction commits; the page follows the
row. The database allows one queued-or-running task per connection and
action, and a refresh that succeeded moments ago is not repeated, so a burst
of presses spends one refresh token (docs/reliability.md rule 17). A
connection that needs re-authorisation is refused at once with the reason:
queueing work that cannot succeed would only say "queued".
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from workspaces.models import Connection, ConnectionTask
from workspaces.tasks import run_connection_task
from workspaces.tokens.problems import REAUTH_HELP

logger = logging.getLogger(__name__)

# What every button, admin action and the health page say when the broker
# cannot take a task.
UNAVAILABLE = "background queue unavailable"
# A refresh pressed within this many seconds of the last one's success is not
# repeated: the tokens are as fresh as they get.
REFRESH_COOLDOWN_SECONDS = 60

Status = ConnectionTask.Status
Action = ConnectionTask.Action
NOUNS = {Action.TEST: "connection test", Action.REFRESH: "token refresh"}


class QueueUnavailable(Exception):
    """The broker refused a task; nothing was queued."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE)
        self.message = UNAVAILABLE


class NotQueued(Exception):
    """The press was refused; `message` says why, fit for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def queue_connection_task(
    connection: Connection, action: str, *, requested_by=None
) -> ConnectionTask:
    """Queue a test or a refresh of the connection; published once the
    transaction commits.

    Raises NotQueued when the connection needs re-authorisation, when the same
    work is already queued or running, or (a refresh) when one just
    succeeded; QueueUnavailable when the broker cannot take it.
    """
    expire_stale_tasks(connection=connection)
    connection.refresh_from_db(fields=Connection.STATE_FIELDS)
    if connection.state == Connection.State.NEEDS_REAUTH:
        raise NotQueued(
            f"Not queued: {connection.person} needs re-authorisation: "
            f"{connection.state_reason or REAUTH_HELP}"
        )
    if action == Action.REFRESH:
        _refuse_if_just_refreshed(connection)
    try:
        with transaction.atomic():
            task = ConnectionTask.objects.create(
                connection=connection, action=action, requested_by=requested_by
            )
    except IntegrityError:
        raise NotQueued(_busy_message(connection, action)) from None
    transaction.on_commit(partial(_publish, task))
    return task


def _refuse_if_just_refreshed(connection: Connection) -> None:
    recent = (
        ConnectionTask.objects.filter(
            connection=connection,
            action=Action.REFRESH,
            status=Status.SUCCEEDED,
            finished_at__gte=timezone.now()
            - timedelta(seconds=REFRESH_COOLDOWN_SECONDS),
        )
        .order_by("-finished_at")
        .first()
    )
    if recent is not None:
        ago = int((timezone.now() - recent.finished_at).total_seconds())
        raise NotQueued(
            f"Not queued: the tokens of {connection.person} were refreshed {ago} s "
            "ago; they are as fresh as they get."
        )


def _busy_message(connection: Connection, action: str) -> str:
    active = (
        ConnectionTask.objects.filter(
            connection=connection,
            action=action,
            status__in=ConnectionTask.ACTIVE_STATES,
        )
        .values_list("status", flat=True)
        .first()
    )
    state = "running" if active == Status.RUNNING else "queued"
    return f"Not queued: a {NOUNS[action]} of {connection.person} is already {state}."


def _publish(task: ConnectionTask) -> None:
    try:
        run_connection_task.delay(task.pk)
    except OperationalError as exc:
        logger.warning("Connection task %s not published: %s", task.pk, exc)
        ConnectionTask.objects.filter(pk=task.pk, status=Status.QUEUED).delete()
        raise QueueUnavailable from exc


def expire_stale_tasks(*, connection: Connection | None = None) -> int:
    """Fail tasks nobody is working on any more, so the buttons work again.

    A queued task no worker started within AAC_SYNC_STALE_MINUTES lost its
    message; a running one older than the task's hard time limit lost its
    worker (a refresh is bounded by the time budgets, docs/reliability.md
    rules 4 and 16).
    """
    now = timezone.now()
    tasks = ConnectionTask.objects.all()
    if connection is not None:
        tasks = tasks.filter(connection=connection)
    queued_cutoff = now - timedelta(minutes=settings.AAC_SYNC_STALE_MINUTES)
    running_cutoff = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    expired = tasks.filter(
        Q(status=Status.QUEUED, queued_at__lt=queued_cutoff)
        | Q(status=Status.RUNNING, started_at__lt=running_cutoff)
    ).update(
        status=Status.FAILED,
        finished_at=now,
        message="Expired: no worker finished it.",
    )
    if expired:
        logger.warning("Expired %s stale connection tasks", expired)
    return expired
