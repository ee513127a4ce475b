"""The demo's processes, and the loop that watches them.

A background service (the worker, beat) that exits is started again, as a
process manager would in production: a worker killed by the OOM killer or by
hand must not take the simulator and the web server down with it. A
foreground one (the simulator, the web server) that stops ends the demo, and
so does a background one that keeps dying at once (RESTARTS within WINDOW
seconds), which would only fill its log. A service started `once` (the first
sync's progress) runs to its end and is left alone.

Each service writes to its own log file and runs in a process group of its
own, so Ctrl-C reaches the demo alone and the demo stops them in order; a
group is killed whole at the end, so no pool process outlives its worker.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import deque
from typing import IO

from aacportal import embedded

RESTARTS = 5
WINDOW = 60.0


class Service:
    def __init__(
        self,
        name: str,
        args: list[str],
        *,
        restart: bool = False,
        once: bool = False,
        log: IO | None = None,
        console: bool = False,
    ):
        self.name = name
        self.args = args
        self.restart = restart
        self.once = once
        self.log = log
        self.console = console
        self.process: subprocess.Popen | None = None
        self.starts: deque[float] = deque(maxlen=RESTARTS + 1)

    def start(self) -> "Service":
        self.starts.append(time.monotonic())
        self.process = subprocess.Popen(
            [sys.executable, *self.args],
            cwd=embedded.ROOT,
            stdin=subprocess.DEVNULL,
            stdout=None if self.console else self.log,
            stderr=self.log if self.console else subprocess.STDOUT,
            process_group=0,
        )
        return self

    def keeps_dying(self) -> bool:
        return (
            len(self.starts) == self.starts.maxlen
            and time.monotonic() - self.starts[0] < WINDOW
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def describe_exit(self) -> str:
        """ "the web server stopped (exit code 1); its log: var/logs/web.log"."""
        where = f"; its log: {shown_path(self.log.name)}" if self.log else ""
        return f"the {self.name} stopped ({_how(self.process.returncode)}){where}"


def supervise(services: list[Service], *, interval: float = 0.5) -> Service:
    """Restart background services that exit; return the one that ends the demo."""
    while True:
        for service in services:
            code = service.process.poll()
            if code is None or service.once:
                continue
            if not service.restart or service.keeps_dying():
                return service
            print(
                f"demo: the {service.name} exited ({_how(code)}); starting it again",
                file=sys.stderr,
                flush=True,
            )
            service.start()
        time.sleep(interval)


def stop_all(services: list[Service], *, timeout: float = 15) -> None:
    """SIGTERM to every service at once (last started first), then SIGKILL to
    what still runs in their process groups."""
    for service in reversed(services):
        if service.running():
            service.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for service in services:
        try:
            service.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()
        # What the service started itself (a worker's pool) goes with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(service.process.pid, signal.SIGKILL)


def shown_path(path: str | os.PathLike) -> str:
    """A path as a person would type it here: relative to the current folder
    when under it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def _how(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"
