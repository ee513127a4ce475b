"""Real `celery worker`, `celery beat` and `gunicorn` processes for tests,
sharing the test database and broker.

Tests that use them must commit their data (`transactional_db` or
`live_server`), because these processes read the database from another one.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from health.models import WorkerHeartbeat
from schedules.models import SyncRun

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database the tests are using right now (the test one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def environment(extra: dict) -> dict:
    """This process's environment, on the test database, broker and keys."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        **extra,
    }


class ProjectProcess:
    """Start, wait for, kill and stop one process of the project."""

    def __init__(self, *, name: str, env: dict | None = None):
        self.name = name
        self.extra_env = env or {}
        self.log_path = Path(settings.VAR_DIR) / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def arguments(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict:
        return environment(self.extra_env)

    def start(self, *, timeout: float = 30):
        start_together([self], timeout=timeout)
        return self

    def launch(self) -> None:
        """Start the process without waiting for it (see `start_together`)."""
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, *self.arguments()],
            cwd=ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def ready(self) -> bool:
        raise NotImplementedError

    def kill(self) -> None:
        """SIGKILL the whole process group (a worker's pool processes too)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_together(processes, *, timeout: float = 60) -> list:
    """Launch every process at once and wait until all are ready.

    Several processes boot side by side in the time of the slowest one, as a
    deployment starts its web server, worker and beat; each still has to say
    it is ready, and one that exits early fails the start.
    """
    for process in processes:
        process.launch()
    waiting = list(processes)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        for process in list(waiting):
            if process.process.poll() is not None:
                raise RuntimeError(
                    f"{process.name} exited early; see {process.log_path}"
                )
            if process.ready():
                waiting.remove(process)
        if waiting:
            time.sleep(0.2)
    if waiting:
        names = ", ".join(f"{p.name} (see {p.log_path})" for p in waiting)
        raise RuntimeError(f"not ready after {timeout} s: {names}")
    return list(processes)


CELERY = ["-m", "celery", "-A", "aacportal"]


class WorkerProcess(ProjectProcess):
    def __init__(
        self,
        *,
        name: str,
        env: dict | None = None,
        concurrency: int = 2,
        queues: str = "",
    ):
        super().__init__(name=name, env=env)
        self.hostname = f"{name}@tests"
        self.concurrency = concurrency
        # Comma-separated queues to consume instead of the default one.
        self.queues = queues

    def arguments(self) -> list[str]:
        return [
            *CELERY,
            "worker",
            "--loglevel=INFO",
            f"--hostname={self.hostname}",
            f"--concurrency={self.concurrency}",
            "--without-mingle",
            "--without-gossip",
            *([f"--queues={self.queues}"] if self.queues else []),
        ]

    def ready(self) -> bool:
        return WorkerHeartbeat.objects.filter(hostname=self.hostname).exists()

    def pool_pids(self) -> list[int]:
        """The worker's pool processes (Linux: read from /proc, for each of its
        threads: the pool's supervisor thread forks the replacements)."""
        tasks = Path(f"/proc/{self.process.pid}/task").glob("*/children")
        return sorted(int(pid) for task in tasks for pid in task.read_text().split())


class BeatProcess(ProjectProcess):
    """`celery beat`, its schedule file beside its log."""

    def arguments(self) -> list[str]:
        schedule = self.log_path.with_suffix(".schedule")
        schedule.unlink(missing_ok=True)
        return [*CELERY, "beat", "--loglevel=INFO", f"--schedule={schedule}"]

    def ready(self) -> bool:
        return "beat: Starting..." in self.log()


class GunicornProcess(ProjectProcess):
    """The web application under gunicorn, on a free port of 127.0.0.1."""

    def __init__(self, *, name: str, env: dict | None = None, workers: int = 2):
        super().__init__(name=name, env=env)
        self.workers = workers
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def arguments(self) -> list[str]:
        return [
            "-m",
            "gunicorn",
            "aacportal.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            # Its own, not the one in ~/.gunicorn another gunicorn may be using.
            f"--control-socket={self.log_path.with_suffix('.ctl')}",
        ]

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"{self.url}/health/live/", timeout=2
            ) as answer:
                return answer.status == 200
        except OSError:
            return False


def wait_for_run(run, statuses, *, timeout: float, processes) -> SyncRun:
    """The run once its status is one of `statuses`; fails with the logs if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in statuses:
            return run
        time.sleep(0.1)
    logs = "\n".join(process.log() for process in processes)
    pytest.fail(f"run {run.pk} still {run.status} after {timeout} s:\n{logs}")
