"""Celery tasks of the schedules cache: thin, ids only, state in `SyncRun`.

A sync is idempotent (it converges on AAC's list), so it is acknowledged late
and taken back if its worker dies: the next worker takes the run over.
"""

from celery import shared_task

from schedules import queueing, sync
from schedules.models import SyncRun

# Retries of one run (unavailable or rate-limited AAC); then the beat's next
# round starts a new one.
MAX_RETRIES = 4


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES
)
def sync_workspace(self, run_id: int) -> None:
    run = sync.load_run(run_id)
    if run is None:
        return
    run = sync.sync_workspace(
        workspace=run.workspace,
        run=run,
        attempt=self.request.retries,
        may_retry=self.request.retries < self.max_retries,
    )
    if run.status == SyncRun.Status.QUEUED:  # the sync asked for a retry
        raise self.retry(eta=run.retry_at)


@shared_task
def sync_all_workspaces() -> None:
    queueing.queue_beat_syncs()
