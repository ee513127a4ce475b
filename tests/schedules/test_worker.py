"""Syncs run by real `celery worker` processes, through the real broker.

Killing a worker mid-sync needs Redis: its unacknowledged message comes back
after the visibility timeout (the embedded filesystem broker has none), so
that test runs under CI (CELERY_BROKER_URL=redis://...) and is skipped on a
laptop without it.
"""

import time

import pytest
from django.conf import settings

from schedules import tasks
from schedules.models import Schedule, SyncRun
from schedules.queueing import queue_sync
from tests.availability import require_redis_broker
from tests.schedules.conftest import SHORT_HISTORY, aac_state, cache_of, on_list
from tests.workers import WorkerProcess, wait_for_run

pytestmark = pytest.mark.worker

Status = SyncRun.Status
FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.SKIPPED)


@pytest.mark.django_db(transaction=True)
def test_a_worker_syncs_a_queued_workspace(aac_sim, make_sim_workspace, celery_worker):
    remote, workspace = make_sim_workspace(
        "Worker sync", schedules=300, history_days=SHORT_HISTORY
    )

    run = queue_sync(workspace=workspace, trigger=SyncRun.Trigger.BUTTON)
    run = wait_for_run(run, FINISHED, timeout=60, processes=[celery_worker])

    assert (run.status, run.counts_of("schedules").created) == (Status.SUCCEEDED, 300)
    assert cache_of(workspace) == aac_state(aac_sim, remote)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sync_is_redelivered_and_its_run_finished(
    aac_sim, make_sim_workspace
):
    require_redis_broker(settings.CELERY_BROKER_URL)
    remote, workspace = make_sim_workspace(
        "Killed mid-sync", schedules=600, history_days=SHORT_HISTORY
    )
    # Slow pages, so the kill lands between the first page and the last.
    on_list(aac_sim, remote, "latency", seconds=1.0)
    env = {
        "AAC_SIMULATOR_URL": aac_sim.urls.api,
        "AAC_SIMULATOR_GATEWAY_URL": aac_sim.urls.gateway,
        "AAC_PAGE_SIZE": "100",
    }
    # Its own queue, so no other test worker takes the task.
    queue = f"sync-kill-{workspace.pk}"
    doomed = WorkerProcess(name="doomed", env=env, concurrency=1, queues=queue)
    visibility = 5
    rescuer = WorkerProcess(
        name="rescuer",
        env={**env, "CELERY_VISIBILITY_TIMEOUT": str(visibility)},
        concurrency=1,
        queues=queue,
    )
    try:
        doomed.start()
        run = SyncRun.objects.create(workspace=workspace, trigger="button")
        tasks.sync_workspace.apply_async(args=[run.pk], queue=queue)
        run = wait_for_run(run, [Status.RUNNING], timeout=30, processes=[doomed])
        first_start = run.started_at
        time.sleep(2.5)  # a couple of the six pages are in

        doomed.kill()
        aac_sim.sim.faults.clear()
        run.refresh_from_db()
        assert run.status == Status.RUNNING
        # The rescuer takes back messages unacknowledged for `visibility`
        # seconds when it starts polling.
        time.sleep(visibility + 1)
        rescuer.start()
        run = wait_for_run(run, FINISHED, timeout=60, processes=[rescuer])
    finally:
        doomed.stop()
        rescuer.stop()

    assert run.status == Status.SUCCEEDED, rescuer.log()
    assert run.started_at > first_start  # taken over, not started afresh
    assert "taking over from a lost worker" in rescuer.log()
    assert cache_of(workspace) == aac_state(aac_sim, remote)
    assert Schedule.objects.filter(workspace=workspace).count() == 600
    assert SyncRun.objects.filter(workspace=workspace).count() == 1
