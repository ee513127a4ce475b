"""A worker keeps running tasks after its idle pool processes are killed.

On the embedded broker Celery uses billiard's blocking pool, whose idle
processes used to wait for work holding the lock of the pipe they share: the
one killed while holding it left every other waiting forever, and the worker
took tasks it never ran (aacportal/workerpool.py). Killing each original pool
process in turn, with no task between, is sure to kill the one holding it.
"""

import os
import signal
import time

import pytest

from health.models import WorkerHeartbeat
from health.tasks import heartbeat
from tests.workers import WorkerProcess

pytestmark = pytest.mark.worker


def wait_until(condition, *, timeout: float, what: str, worker: WorkerProcess):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} after {timeout} s:\n{worker.log()}")


def last_seen(worker: WorkerProcess):
    return WorkerHeartbeat.objects.get(hostname=worker.hostname).last_seen


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_tasks_after_its_idle_pool_processes_are_killed(
    embedded_broker,
):
    worker = WorkerProcess(name="survivor", env=embedded_broker, concurrency=2)
    try:
        worker.start()
        originals = worker.pool_pids()
        assert len(originals) == 2
        for pid in originals:
            os.kill(pid, signal.SIGKILL)
            wait_until(
                lambda pid=pid: (
                    pid not in (pids := worker.pool_pids()) and len(pids) == 2
                ),
                timeout=15,
                what="the pool process was not replaced",
                worker=worker,
            )

        for _ in range(3):
            before = last_seen(worker)
            heartbeat.delay()
            wait_until(
                lambda before=before: last_seen(worker) > before,
                timeout=15,
                what="the worker took the task but did not run it",
                worker=worker,
            )
        assert worker.process.poll() is None
    finally:
        worker.stop()
