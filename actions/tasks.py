"""Celery tasks of the actions: thin, ids only, state in the actions' models.

No autoretry and no acks_late: a run call must not be repeated by Celery
(only with the same execution id, by `actions.runs`), and every step of a
bulk change or a window is taken again from its rows by beat's `resume`
round when a worker dies (docs/reliability.md rules 8 and 17).
"""

import logging

from celery import shared_task

from actions import bulk, runs, windows
from actions.models import RunRequest

logger = logging.getLogger(__name__)


@shared_task(name=bulk.TASK, acks_late=False)
def run_bulk_change(change_id: int) -> None:
    if bulk.run_bulk_change(change_id):
        run_bulk_change.delay(change_id)


@shared_task(name=runs.START_TASK, acks_late=False)
def start_run(run_id: int) -> None:
    if runs.start(run_id):
        follow_run.apply_async((run_id,), countdown=runs.next_look(run_id))


@shared_task(name=runs.FOLLOW_TASK, acks_late=False)
def follow_run(run_id: int) -> None:
    if runs.follow(run_id):
        follow_run.apply_async((run_id,), countdown=runs.next_look(run_id))


@shared_task(name=windows.ADVANCE_TASK, acks_late=False)
def advance_windows() -> None:
    """Beat's every few seconds, and nudged by the window buttons."""
    windows.advance_windows()


@shared_task(acks_late=False)
def resume_actions() -> None:
    """Beat's every minute: carry on with what a dead worker left."""
    for change in bulk.stalled():
        logger.warning("Bulk change %s stalled; resuming it", change.pk)
        run_bulk_change.delay(change.pk)
    for run_id, status in runs.stalled():
        logger.warning("Run request %s (%s) went quiet; resuming it", run_id, status)
        if status in RunRequest.UNSTARTED_STATES:
            start_run.delay(run_id)
        else:
            follow_run.delay(run_id)
