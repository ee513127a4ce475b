"""Celery tasks of the token code: pressed tests and refreshes, refreshes ahead of use.

No autoretry and no acks_late, ever: a refresh spends a single-use token, so a
redelivered or automatically retried task could spend it twice
(docs/reliability.md rule 5). The next beat tick, or the next press, is the
retry.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from workspaces.models import Connection, ConnectionTask
from workspaces.services import test_connection
from workspaces.tokens.lease import force_refresh, fresh_access_token
from workspaces.tokens.problems import TokenProblem

logger = logging.getLogger(__name__)

Status = ConnectionTask.Status


def refresh_horizon() -> int:
    """Seconds a token must stay valid: until the next tick, plus the usual margin."""
    return (
        settings.AAC_TOKEN_REFRESH_INTERVAL_MINUTES * 60
        + settings.AAC_ACCESS_TOKEN_MIN_VALIDITY
    )


@shared_task(acks_late=False)
def refresh_connection_tokens(connection_id: int) -> None:
    """Refresh one connection's tokens if they expire before the next tick."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        logger.warning("Connection %s no longer exists; refresh skipped", connection_id)
        return
    try:
        fresh_access_token(connection, min_validity=refresh_horizon())
    except TokenProblem as exc:
        logger.warning("Connection %s: tokens not refreshed: %s", connection_id, exc)


@shared_task(acks_late=False)
def run_connection_task(task_id: int) -> None:
    """Do a pressed test or refresh, recording its progress and outcome on the row."""
    started = ConnectionTask.objects.filter(pk=task_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    task = (
        ConnectionTask.objects.select_related("connection").filter(pk=task_id).first()
    )
    if not started or task is None:
        logger.warning("Connection task %s is gone or taken; skipped", task_id)
        return
    ok, message = _do(task)
    ConnectionTask.objects.filter(pk=task_id, status=Status.RUNNING).update(
        status=Status.SUCCEEDED if ok else Status.FAILED,
        finished_at=timezone.now(),
        message=message,
    )


def _do(task: ConnectionTask) -> tuple[bool, str]:
    if task.action == ConnectionTask.Action.TEST:
        return test_connection(task.connection)
    try:
        force_refresh(task.connection)
    except TokenProblem as exc:
        return False, exc.message
    return True, "Tokens refreshed."


@shared_task
def refresh_expiring_tokens() -> None:
    """Beat: one refresh task per connection whose token is about to expire.

    Unknown expiry (an opaque token) counts as expiring: it is refreshed on
    first use. Connections needing re-authorisation wait for a pasted pair;
    those of inactive workspaces are left alone.
    """
    horizon = timezone.now() + timedelta(seconds=refresh_horizon())
    due = (
        Connection.objects.filter(workspace__is_active=True)
        .exclude(state=Connection.State.NEEDS_REAUTH)
        .filter(refresh_token_issued_at__isnull=False)
        .filter(
            Q(access_token_expires_at__isnull=True)
            | Q(access_token_expires_at__lt=horizon)
        )
        .values_list("pk", flat=True)
    )
    ids = list(due)
    for connection_id in ids:
        refresh_connection_tokens.delay_on_commit(connection_id)
    logger.info("Queued token refreshes for %d connection(s)", len(ids))
