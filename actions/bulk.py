"""Enable or disable: one schedule or many, across workspaces, as a background task.

The confirmation's POST makes a `BulkChange` and an item per schedule, and
queues the task once the transaction commits; the task works through the
pending items within a time budget, then queues itself again, so any number
of schedules fits Celery's time limits. Each item is finished by a
conditional UPDATE from pending, so a worker that takes over (the previous
one died: beat's `resume` sees the stopped heartbeat) does none twice; AAC's
enable and disable are idempotent anyway. Every item's outcome goes to the
activity log with AAC's request id (docs/reliability.md rule 17).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from actions.aac_calls import ActionFailed, change_schedule, owner_label
from actions.models import BulkChange, BulkItem, Change
from actions.publish import publish
from activity.log import record
from activity.models import Outcome
from schedules.models import Schedule
from workspaces import access

logger = logging.getLogger(__name__)

Status = BulkChange.Status
ItemStatus = BulkItem.Status
TASK = "actions.tasks.run_bulk_change"


def create_bulk_change(
    *, actor, action: Change, schedules: QuerySet[Schedule], reason: str, chosen: str
) -> BulkChange:
    """Queue `action` on the schedules of `schedules` the actor may operate.

    Raises QueueUnavailable (nothing kept) when the broker refuses the task.
    """
    operable = access.scope(schedules, actor, operable=True).order_by()
    with transaction.atomic():
        change = BulkChange.objects.create(
            action=action,
            reason=reason,
            chosen=chosen,
            requested_by=actor,
            requested_by_name=actor.get_username(),
        )
        BulkItem.create_for(operable, change=change)
        publish(TASK, change.pk, on_failure=lambda: _refused(change))
    return change


def _refused(change: BulkChange) -> None:
    BulkChange.objects.filter(pk=change.pk, status=Status.QUEUED).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        message="Not started: the background queue is unavailable.",
    )


def run_bulk_change(change_id: int, *, budget: float = 60.0) -> bool:
    """Work through the pending items for up to `budget` seconds.

    True when items are left: the task queues itself again.
    """
    change = claim(change_id)
    if change is None:
        return False
    deadline = time.monotonic() + budget
    pending = change.items.filter(status=ItemStatus.PENDING).select_related("workspace")
    for item in pending.order_by("id").iterator(chunk_size=100):
        if time.monotonic() > deadline:
            return True
        do_item(change, item)
        BulkChange.objects.filter(pk=change.pk).update(heartbeat_at=timezone.now())
    BulkChange.objects.filter(pk=change.pk, status=Status.RUNNING).update(
        status=Status.FINISHED, finished_at=timezone.now()
    )
    return False


def claim(change_id: int) -> BulkChange | None:
    """queued -> running, or take over a running one (its worker went on, or
    died: the items left pending are all that is left to do)."""
    now = timezone.now()
    claimed = BulkChange.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING), pk=change_id
    ).update(status=Status.RUNNING, heartbeat_at=now)
    if not claimed:
        logger.info("Bulk change %s is finished or gone; nothing to do", change_id)
        return None
    BulkChange.objects.filter(pk=change_id, started_at=None).update(started_at=now)
    return BulkChange.objects.select_related("requested_by").get(pk=change_id)


def stalled() -> QuerySet[BulkChange]:
    """Changes whose worker stopped: queued or running without a heartbeat for
    longer than a task may run."""
    cutoff = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    return BulkChange.objects.filter(
        Q(status=Status.QUEUED, created_at__lt=cutoff)
        | Q(status=Status.RUNNING, heartbeat_at__lt=cutoff)
    )


def do_item(change: BulkChange, item: BulkItem) -> None:
    enable = change.action == Change.ENABLE
    status, message, request_id = _act(change, item, enable=enable)
    finished = BulkItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
        status=status,
        message=message,
        aac_request_id=request_id,
        finished_at=timezone.now(),
    )
    if not finished:
        return
    outcome = {
        ItemStatus.SUCCEEDED: Outcome.SUCCEEDED,
        ItemStatus.SKIPPED: Outcome.SUCCEEDED,
        ItemStatus.FAILED: Outcome.FAILED,
    }[status]
    record(
        change.action,
        outcome=outcome,
        user=change.requested_by,
        username=change.requested_by_name,
        workspace=item.workspace,
        target_kind="schedule",
        target_id=item.schedule_aac_id,
        target_name=item.schedule_name,
        message=f"{message} Reason: {change.reason}",
        request_id=request_id,
    )


def _act(change: BulkChange, item: BulkItem, *, enable: bool) -> tuple[str, str, str]:
    verb = "Enabled" if enable else "Disabled"
    if item.workspace is None:
        return ItemStatus.FAILED, "Its workspace was deleted.", ""
    actor = change.requested_by
    if actor is None or not access.may_operate(actor, item.workspace):
        return ItemStatus.FAILED, "Whoever asked may no longer operate it.", ""
    schedule = (
        Schedule.objects.filter(workspace=item.workspace, aac_id=item.schedule_aac_id)
        .select_related("workspace")
        .first()
    )
    if schedule is None:
        return ItemStatus.FAILED, "No longer in the portal (deleted in AAC?).", ""
    if schedule.enabled == enable:
        return ItemStatus.SKIPPED, f"Already {verb.lower()}.", ""
    try:
        changed = change_schedule(schedule, enable=enable)
    except ActionFailed as exc:
        return ItemStatus.FAILED, exc.message, exc.request_id
    owner = owner_label(schedule) or "its owner"
    return ItemStatus.SUCCEEDED, f"{verb} in AAC as {owner}.", changed.request_id or ""


def visible_change_or_404(user, change_id: int) -> BulkChange:
    """A change is visible to whoever asked for it and to anyone who sees one
    of its workspaces."""
    found = BulkChange.objects.filter(pk=change_id).first()
    if found is None:
        raise Http404("No such change")
    mine = found.requested_by_id == user.pk
    if not mine and not visible_items(user, found).exists():
        raise Http404("No such change")
    return found


def visible_items(user, change: BulkChange) -> QuerySet[BulkItem]:
    return access.scope(change.items.all(), user)
