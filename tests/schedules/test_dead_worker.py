"""A worker killed mid-sync: its run is expired on the heartbeat's time, the page
says why, and "Re-sync now" works again (docs/reliability.md rule 16).

As in production: the doomed worker syncs from a queue of its own; beat and
another worker keep running, and beat's `expire_stale_sync_runs` is what
expires the run, AAC_SYNC_HEARTBEAT_TIMEOUT after the last heartbeat (shortened
here from its 120 s so the test takes seconds). On the embedded broker (a
filesystem broker of the test's own, so it runs under CI too) and on Redis.
"""

import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from schedules import tasks
from schedules.models import SyncRun
from tests.availability import require_redis_broker
from tests.factories import add_member, make_user
from tests.pages.requests import poll, press
from tests.schedules.conftest import SHORT_HISTORY, on_list
from tests.workers import BeatProcess, WorkerProcess, start_together, wait_for_run
from workspaces.models import Membership

pytestmark = pytest.mark.worker

Status = SyncRun.Status
TIMEOUT = 6  # AAC_SYNC_HEARTBEAT_TIMEOUT for every process of the test
EXPIRED = "Expired: its worker stopped answering"


@pytest.fixture(params=["embedded", "redis"])
def broker(request):
    """The environment of the processes: the test's own filesystem broker, or
    the suite's Redis (skipped on a laptop without it, never under CI)."""
    if request.param == "embedded":
        return request.getfixturevalue("embedded_broker")
    require_redis_broker(settings.CELERY_BROKER_URL)
    return {}


@pytest.mark.django_db(transaction=True)
def test_a_run_left_by_a_killed_worker_is_expired_and_the_button_works_again(
    broker, aac_sim, make_sim_workspace, client, settings
):
    settings.AAC_SYNC_HEARTBEAT_TIMEOUT = TIMEOUT
    remote, workspace = make_sim_workspace(
        "Dead worker", schedules=600, history_days=SHORT_HISTORY
    )
    operator = make_user("bob")
    add_member(operator, workspace, Membership.Role.OPERATOR)
    client.force_login(operator)
    # Slow pages, so the kill lands between the first page and the last.
    on_list(aac_sim, remote, "latency", seconds=1.0)
    env = {
        **broker,
        "AAC_SIMULATOR_URL": aac_sim.urls.api,
        "AAC_SIMULATOR_GATEWAY_URL": aac_sim.urls.gateway,
        "AAC_PAGE_SIZE": "100",
        "AAC_SYNC_HEARTBEAT_TIMEOUT": str(TIMEOUT),
    }
    # Beat and the surviving worker on a queue of their own: no other test
    # worker (with the usual timeout) takes beat's tasks.
    own = {**env, "CELERY_TASK_DEFAULT_QUEUE": f"dead-worker-{workspace.pk}"}
    doomed_queue = f"doomed-{workspace.pk}"
    doomed = WorkerProcess(name="doomed", env=env, concurrency=1, queues=doomed_queue)
    survivor = WorkerProcess(
        name="survivor", env=own, queues=f"{own['CELERY_TASK_DEFAULT_QUEUE']},celery"
    )
    beat = BeatProcess(name="beat", env=own)
    processes = (doomed, survivor, beat)
    try:
        start_together(processes)
        page_loaded = timezone.now().timestamp()
        run = SyncRun.objects.create(workspace=workspace, trigger="button")
        tasks.sync_workspace.apply_async(args=[run.pk], queue=doomed_queue)
        wait_for_run(run, [Status.RUNNING], timeout=30, processes=processes)
        time.sleep(2)  # a couple of pages are in

        doomed.kill()
        killed = time.monotonic()
        aac_sim.sim.faults.clear()
        assert press(client, "workspace_sync", workspace.pk).status_code == 409
        time.sleep(TIMEOUT / 2)
        assert SyncRun.objects.get(pk=run.pk).status == Status.RUNNING
        run = wait_for_run(
            run, [Status.FAILED], timeout=3 * TIMEOUT, processes=processes
        )
        expired_after = time.monotonic() - killed

        assert TIMEOUT / 2 < expired_after < 2.5 * TIMEOUT
        assert (run.error_kind, run.error_message.startswith(EXPIRED)) == (
            "expired",
            True,
        )
        page = client.get(reverse("pages:workspace", args=[workspace.pk])).text
        assert EXPIRED in page
        status = poll(client, workspace=workspace.pk, since=page_loaded).text
        assert 'data-status="failed"' in status
        assert EXPIRED in status

        answer = press(client, "workspace_sync", workspace.pk)
        assert (answer.status_code, "queued" in answer.text) == (200, True)
        again = SyncRun.objects.exclude(pk=run.pk).get(workspace=workspace)
        again = wait_for_run(again, [Status.SUCCEEDED], timeout=60, processes=processes)
    finally:
        for process in processes:
            process.stop()

    assert again.counts_of("schedules").seen == 600
