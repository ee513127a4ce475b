"""`python -m demo` as a newcomer runs it: a banner without a token, a portal that
lets them in, a busy port named with its variable, and Ctrl-C that stops every
process and exits 0."""

import fcntl
import json
import os
import pty
import re
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
from contextlib import suppress
from pathlib import Path

import pytest
import requests

from demo import DEMO_PASSWORD
from demo.terminal import free_port

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
READY = "AAC Portal is ready"
START_TIMEOUT = 180  # s: migrations and the simulator's data on a shared machine
# The suite's own services; the demo runs on the embedded defaults only.
NOT_PASSED_ON = ("DATABASE_URL", "CELERY_BROKER_URL", "FIELD_ENCRYPTION_KEYS")
JWT = re.compile(r"eyJ[\w+/=-]{8,}\.[\w+/=-]{8,}")


def demo_environment(var: Path, **ports: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    return {
        **env,
        "AAC_VAR_DIR": str(var),
        "AAC_SIM_WORKSPACES": "2",
        "AAC_SIM_SCHEDULES": "30",
        "AAC_SIM_PEOPLE_PAIRS": "2",
        **{name: str(port) for name, port in ports.items()},
    }


class Console:
    """The demo's console (stdout and stderr together), read as it comes."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.reader.start()

    def _read(self, process) -> None:
        for line in process.stdout:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, fragment: str, process, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while fragment not in self.text:
            assert process.poll() is None, f"the demo exited:\n{self.text}"
            assert time.monotonic() < deadline, f"no {fragment!r} in:\n{self.text}"
            time.sleep(0.2)


def descendants(pid: int) -> set[int]:
    """Every process started by `pid`, and by those, as `ps` sees them now."""
    listing = subprocess.run(
        ["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True, check=True
    ).stdout
    children: dict[int, list[int]] = {}
    for line in listing.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def still_running(pids: set[int]) -> set[int]:
    """Those of `pids` that still run (a zombie waiting for its reaper is gone)."""
    listing = subprocess.run(
        ["ps", "-A", "-o", "pid=,stat="], capture_output=True, text=True, check=True
    ).stdout
    running = {
        int(pid)
        for pid, stat in (line.split() for line in listing.splitlines())
        if not stat.startswith("Z")
    }
    return pids & running


def kill_all(process: subprocess.Popen) -> None:
    """After a failed test: the process and all it started, whatever their
    process groups (the demo gives each service its own)."""
    if process.poll() is not None:
        return
    for pid in [*descendants(process.pid), process.pid]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()


def ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def log_in(url: str) -> requests.Response:
    session = requests.Session()
    session.get(f"{url}/accounts/login/", timeout=30)
    return session.post(
        f"{url}/accounts/login/",
        data={
            "username": "admin",
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/accounts/login/"},
        timeout=30,
    )


def test_it_starts_calmly_lets_a_newcomer_in_and_stops_cleanly_on_ctrl_c(tmp_path):
    web_port, sim_port = free_port(), free_port(pair=True)
    var = tmp_path / "var"
    demo = subprocess.Popen(
        [sys.executable, "-m", "demo"],
        cwd=ROOT,
        env=demo_environment(var, PORT=web_port, AAC_SIM_PORT=sim_port),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # no terminal, as under a service manager
        # As a shell starts a background job: the demo must still hear SIGINT.
        preexec_fn=ignore_sigint,
    )
    console = Console(demo)
    try:
        console.wait_for(READY, demo, START_TIMEOUT)
        url = f"http://127.0.0.1:{web_port}"
        banner = console.text
        assert f"{url}/" in banner
        assert f"admin  / {DEMO_PASSWORD}" in banner
        assert str(var / "demo-credentials.json") in banner
        assert f"tail -f {var / 'logs'}/*.log" in banner

        answer = log_in(url)
        assert answer.status_code == 200
        assert answer.url == f"{url}/"
        assert "Log out" in answer.text

        console.wait_for("Every workspace is synced", demo, START_TIMEOUT)
        synced = sorted(line.strip() for line in console.lines if "synced in" in line)
        assert len(synced) == 2, console.text  # one line per workspace
        assert synced[0].startswith("Demo EU: synced in ")
        assert "Complete: " in synced[0]
        assert synced[1].startswith("Finance US: synced in ")
        assert "Partial: the schedules of 2 of " in synced[1]  # two people's pairs
        children = descendants(demo.pid)
        assert len(children) >= 5  # simulator, worker (and its pool), beat, web
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0
        console.reader.join(timeout=10)
    finally:
        kill_all(demo)

    assert still_running(children) == set()
    credentials = json.loads((var / "demo-credentials.json").read_text())
    tokens = [
        entry[kind]
        for entry in credentials["credentials"]
        for kind in ("access_token", "refresh_token")
    ]
    assert len(tokens) == 2 * 3  # a pair for one workspace, two for the other
    assert not [token for token in tokens if token in console.text]
    assert not JWT.search(console.text)
    assert "Traceback" not in console.text
    for name in ("simulator", "setup", "worker", "beat", "web"):
        assert (var / "logs" / f"{name}.log").stat().st_size > 0


def in_a_terminal():
    """Run in the child: take the pseudo-terminal on stdin as its controlling
    terminal, as a login shell's session has one."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_ctrl_c_in_a_terminal_ends_make_demo_with_status_0(tmp_path):
    web_port, sim_port = free_port(), free_port(pair=True)
    terminal, child_side = pty.openpty()
    make = subprocess.Popen(
        # The checkout's own target, without re-checking the installation.
        [
            "make",
            "-o",
            ".venv/.installed",
            f"BIN={Path(sys.executable).parent}",
            "demo",
        ],
        cwd=ROOT,
        env=demo_environment(tmp_path / "var", PORT=web_port, AAC_SIM_PORT=sim_port),
        stdin=child_side,
        stdout=child_side,
        stderr=child_side,
        start_new_session=True,
        preexec_fn=in_a_terminal,
    )
    os.close(child_side)
    screen: list[bytes] = []

    def read():
        with suppress(OSError):  # EIO once every process closed the terminal
            while chunk := os.read(terminal, 4096):
                screen.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while READY.encode() not in b"".join(screen):
            assert make.poll() is None, b"".join(screen).decode()
            assert time.monotonic() < deadline, b"".join(screen).decode()
            time.sleep(0.2)
        os.write(terminal, b"\x03")  # Ctrl-C, as typed
        assert make.wait(timeout=60) == 0
    finally:
        kill_all(make)
        reader.join(timeout=10)
        os.close(terminal)
    shown = b"".join(screen).decode()
    assert "demo: stopping" in shown
    assert "make: ***" not in shown
    assert "Traceback" not in shown


def test_a_busy_port_is_named_with_the_variable_that_moves_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "demo"],
            cwd=ROOT,
            env=demo_environment(tmp_path / "var", PORT=port),
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"demo: port {port} (the portal's port) is in use by another program. "
        f"Choose another with PORT, e.g. `PORT={port + 10} make demo`.\n"
    )


def test_a_second_demo_on_the_same_folder_is_refused(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    with (var / "demo.lock").open("w") as running:
        fcntl.flock(running, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run(
            [sys.executable, "-m", "demo"],
            cwd=ROOT,
            env=demo_environment(
                var, PORT=free_port(), AAC_SIM_PORT=free_port(pair=True)
            ),
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert done.returncode == 1
    assert done.stderr == (
        f"demo: another demo runs in {var}/. Stop it first, or give this one a "
        "folder of its own with AAC_VAR_DIR.\n"
    )
    assert not (var / "logs").exists()  # the running demo's logs left alone
