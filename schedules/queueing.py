"""Queue syncs: one workspace, all of a user's, or the beat's round.

Each queued sync is a `SyncRun` row created in its own transaction and a task
published after it commits. The database allows one queued-or-running run per
workspace, so two clicks and a beat tick at once make one run and the others
are refused with a reason. If the broker cannot take the task, the run is
deleted again and the caller hears "background queue unavailable": nothing is
left half-written.

The task is published by name, so this module needs no import of the tasks
module (which imports this one for the beat's round).
"""

import logging
from dataclasses import dataclass
from functools import partial

from celery import current_app
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from kombu.exceptions import OperationalError

from schedules.models import SyncRun
from schedules.sync.runs import expire_stale_runs
from workspaces import access
from workspaces.models import Connection, ConnectionTask, Workspace
from workspaces.queueing import (
    UNAVAILABLE,
    NotQueued,
    QueueUnavailable,
    queue_connection_task,
)
from workspaces.standing import NONE, standing

logger = logging.getLogger(__name__)

# The name of the task that runs one SyncRun (`schedules.tasks.sync_workspace`).
SYNC_TASK = "schedules.tasks.sync_workspace"


class QueueError(Exception):
    """A sync was not queued; the message says why, fit for the user."""

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable


def queue_sync(
    *,
    workspace: Workspace,
    trigger: str,
    requested_by: AbstractBaseUser | None = None,
) -> SyncRun:
    """Queue a sync of the workspace; the task is published on commit.

    Raises QueueError when no connection of the workspace may work (none,
    or all need re-authorisation: a queued run would only be skipped), when
    a sync of it is already queued or running, and when the broker is
    unreachable.
    """
    state = standing(workspace.connections.all())
    if not state.may_sync:
        what = "" if state.state == NONE else " needs re-authorisation"
        raise QueueError(f"Not queued: {workspace.name}{what}: {state.reason}")
    expire_stale_runs(workspace=workspace)
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                workspace=workspace, trigger=trigger, requested_by=requested_by
            )
    except IntegrityError:
        raise QueueError(_busy_message(workspace)) from None
    transaction.on_commit(partial(_publish, run))
    return run


@dataclass(frozen=True)
class Welcome:
    """What saving a new connection set going, and the words for the page."""

    task: ConnectionTask | None
    run: SyncRun | None
    message: str

    @property
    def ok(self) -> bool:
        return self.task is not None and self.run is not None


def welcome_connection(
    connection: Connection,
    *,
    trigger: str,
    requested_by: AbstractBaseUser | None = None,
    who: str = "",
) -> Welcome:
    """A new connection, or a new pair pasted: test it and queue its
    workspace's sync, which reads through it (the first, for a new workspace).

    Both go to the queue at once; the token lease lets one of them refresh
    while the other waits. `who` names the connection's person when the
    caller knows better than the connection.
    """
    workspace, who = connection.workspace, who or str(connection.person)
    try:
        task = queue_connection_task(
            connection, ConnectionTask.Action.TEST, requested_by=requested_by
        )
    except (NotQueued, QueueUnavailable) as exc:
        return Welcome(None, None, f"Saved {who}; not tested: {_sentence(exc)}")
    try:
        run = queue_sync(
            workspace=workspace, trigger=trigger, requested_by=requested_by
        )
    except QueueError as exc:
        message = f"Saved {who}; its test is queued, but no sync: {_sentence(exc)}"
        return Welcome(task, None, message)
    message = (
        f"Saved {who}: the connection is being tested and a sync of "
        f"{workspace.name} is queued; their progress shows here."
    )
    return Welcome(task, run, message)


def _sentence(exc: QueueError | NotQueued | QueueUnavailable) -> str:
    return exc.message.rstrip(".") + "."


def queue_sync_all(*, user: AbstractBaseUser, trigger: str) -> list[SyncRun]:
    """Queue a sync of every active workspace the user may operate.

    Workspaces with a sync already queued or running are passed over (and
    logged); a broker failure stops the round with QueueError.
    """
    workspaces = access.operable_workspaces(user).active()
    return _queue_each(workspaces, trigger=trigger, requested_by=user)


def queue_beat_syncs() -> list[SyncRun]:
    """The beat's round: every active workspace without a sync under way.

    Workspaces with no connection that may work (none, or every one waiting
    for re-authorisation) are left out: each tick would only add a skipped
    run to their history; so are workspaces AAC asked to wait (a run's
    `retry_at` after a long rate limit).
    """
    expire_stale_runs()
    usable = Connection.objects.filter(workspace=OuterRef("pk")).exclude(
        state=Connection.State.NEEDS_REAUTH
    )
    waiting = SyncRun.objects.filter(
        workspace=OuterRef("pk"), retry_at__gt=timezone.now()
    )
    workspaces = (
        Workspace.objects.active()
        .filter(Exists(usable))
        .exclude(Exists(waiting))
        .exclude(sync_runs__status__in=SyncRun.ACTIVE_STATES)
    )
    return _queue_each(workspaces, trigger=SyncRun.Trigger.BEAT, requested_by=None)


def _queue_each(
    workspaces, *, trigger: str, requested_by: AbstractBaseUser | None
) -> list[SyncRun]:
    runs = []
    for workspace in workspaces.order_by("name"):
        try:
            run = queue_sync(
                workspace=workspace, trigger=trigger, requested_by=requested_by
            )
        except QueueError as exc:
            if exc.unavailable:
                raise
            logger.info("Not queued: %s", exc.message)
        else:
            runs.append(run)
    return runs


def _busy_message(workspace: Workspace) -> str:
    active = (
        SyncRun.objects.filter(workspace=workspace, status__in=SyncRun.ACTIVE_STATES)
        .values_list("status", flat=True)
        .first()
    )
    state = "running" if active == SyncRun.Status.RUNNING else "queued"
    return f"A sync of {workspace.name} is already {state}"


def _publish(run: SyncRun) -> None:
    try:
        current_app.send_task(SYNC_TASK, args=[run.pk])
    except OperationalError as exc:
        logger.warning("Sync run %s not published: %s", run.pk, exc)
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).delete()
        raise QueueError(UNAVAILABLE, unavailable=True) from exc
