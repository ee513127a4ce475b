"""Celery tasks of the schedules cache: thin, ids only, state in `SyncRun`.

A sync is idempotent (it converges on AAC's list), so it is acknowledged late
and taken back if its worker dies: the next worker takes the run over.
"""

from celery import shared_task
from django.utils import timezone

from schedules.assets.prune import prune_runs
from schedules.models import SyncRun
from schedules.queueing import SYNC_TASK, queue_beat_syncs
from schedules.retry import MAX_RETRIES, RetryPolicy
from schedules.signals import sync_finished
from schedules.sync import engine, runs


@shared_task(
    name=SYNC_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def sync_workspace(self, run_id: int) -> None:
    run = runs.load_run(run_id)
    if run is None:
        return
    retries = self.request.retries
    policy = RetryPolicy(attempt=retries, may_retry=retries < self.max_retries)
    run = engine.sync_workspace(run, retry=policy)
    if run.status != SyncRun.Status.RUNNING:  # not one it left to another worker
        sync_finished.send(sender=SyncRun, run=run)
    if run.status == SyncRun.Status.QUEUED:  # the sync asked for a retry
        raise self.retry(eta=run.retry_at)


@shared_task
def sync_all_workspaces() -> None:
    queue_beat_syncs()


@shared_task
def expire_stale_sync_runs() -> None:
    """Beat's every quarter of AAC_SYNC_HEARTBEAT_TIMEOUT: a run whose worker
    died says so within minutes, and its workspace can sync again
    (docs/reliability.md rule 16)."""
    runs.expire_stale_runs()


@shared_task
def prune_old_runs() -> None:
    """Beat's hourly: runs older than AAC_RUN_RETENTION_DAYS go."""
    prune_runs(now=timezone.now())
