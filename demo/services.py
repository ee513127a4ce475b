"""The demo's processes, and the loop that watches them.

A background service (the worker, beat) that exits is started again, as a
process manager would in production: a worker killed by the OOM killer or by
hand must not take the simulator and the web server down with it. A
foreground one (the simulator, the web server) that stops ends the demo, and
so does a background one that keeps dying at once (RESTARTS within WINDOW
seconds), which would only fill the terminal.
"""

import signal
import subprocess
import sys
import time
from collections import deque

from aacportal import embedded

RESTARTS = 5
WINDOW = 60.0


class Service:
    def __init__(self, name: str, args: list[str], *, restart: bool = False):
        self.name = name
        self.args = args
        self.restart = restart
        self.process: subprocess.Popen | None = None
        self.starts: deque[float] = deque(maxlen=RESTARTS + 1)

    def start(self) -> "Service":
        self.starts.append(time.monotonic())
        self.process = subprocess.Popen([sys.executable, *self.args], cwd=embedded.ROOT)
        return self

    def keeps_dying(self) -> bool:
        return (
            len(self.starts) == self.starts.maxlen
            and time.monotonic() - self.starts[0] < WINDOW
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def supervise(services: list[Service], *, interval: float = 0.5) -> Service:
    """Restart background services that exit; return the one that ends the demo."""
    while True:
        for service in services:
            code = service.process.poll()
            if code is None:
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
    """SIGTERM to every service at once, then SIGKILL to what still runs."""
    running = [service for service in services if service.running()]
    for service in running:
        service.process.send_signal(signal.SIGTERM)
    for service in running:
        try:
            service.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            service.process.kill()


def _how(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"
