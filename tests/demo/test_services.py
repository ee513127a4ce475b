"""The demo keeps its worker and beat running, and stops when the web server stops."""

import os
import signal
import threading
import time

import pytest

from demo import services
from demo.services import Service, stop_all, supervise

SLEEP = ["-c", "import time; time.sleep(60)"]


@pytest.fixture
def watched():
    """A worker and a web server (stand-ins that sleep), watched in a thread."""
    worker = Service("worker", SLEEP, restart=True).start()
    web = Service("web", SLEEP).start()
    stopped = []
    watcher = threading.Thread(
        target=lambda: stopped.append(supervise([worker, web], interval=0.05)),
        daemon=True,
    )
    watcher.start()
    yield worker, web, stopped, watcher
    stop_all([worker, web], timeout=5)


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_that_dies_is_started_again(watched, capsys):
    worker, web, stopped, _ = watched
    first = worker.process.pid

    os.kill(first, signal.SIGKILL)

    wait_until(lambda: worker.process.pid != first and worker.running())
    assert web.running()
    assert stopped == []
    assert "the worker exited (killed by SIGKILL); starting it again" in (
        capsys.readouterr().err
    )


def test_the_demo_ends_when_the_web_server_stops(watched):
    worker, web, stopped, watcher = watched

    os.kill(web.process.pid, signal.SIGTERM)

    watcher.join(timeout=10)
    assert stopped == [web]
    assert worker.running()


def test_a_service_that_keeps_dying_ends_the_demo(monkeypatch):
    monkeypatch.setattr(services, "RESTARTS", 3)
    crashing = Service("worker", ["-c", "raise SystemExit(3)"], restart=True).start()

    assert supervise([crashing], interval=0.05) is crashing
    assert len(crashing.starts) == 4
