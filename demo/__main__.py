"""`python -m demo`: run the simulator, the web server, a worker and beat together.

Everything runs on the embedded defaults (SQLite, the filesystem broker) with
the simulator as region "sim". The var folder, the broker's folders and the
encryption key are made first, before any process reads the settings (which
make nothing themselves). The console stays calm: one banner (the address,
the logins, where the simulator's credentials are; never a token), then a line
per workspace as its first sync ends. Every process writes to its own log
under the var folder. A worker or beat that dies is started again
(`demo/services.py`); Ctrl-C stops every process and exits 0
(`demo/terminal.py`).
"""

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

from aacportal import embedded
from demo import DEMO_PASSWORD
from demo.services import Service, shown_path, stop_all, supervise
from demo.terminal import own_terminal, port_in_use

DEFAULTS = {
    "PORT": "8000",
    "AAC_SIM_PORT": "8800",
    "AAC_SIM_WORKSPACES": "3",
    "AAC_SIM_SCHEDULES": "1500",
    # The last workspace lists each owner's schedules, with three people
    # connected: the demo shows an honest partial coverage beside complete ones.
    "AAC_SIM_OWNER_SCOPED": "1",
    "AAC_SIM_PEOPLE_PAIRS": "3",
}
LOG_NAMES = ("simulator", "setup", "worker", "beat", "web")
START_TIMEOUT = 60.0


class DemoError(Exception):
    """Why the demo cannot start, in a sentence for the console."""


def main() -> int:
    # Ctrl-C and a SIGTERM (from a supervisor or `timeout`) stop the demo, even
    # when it was started with SIGINT ignored (as a shell starts a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with own_terminal():
            return run_demo(read_options())
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1


def read_options() -> dict[str, int]:
    options = {}
    for name, default in DEFAULTS.items():
        value = os.environ.get(name) or default
        if not value.isdigit():
            raise DemoError(f"{name}={value!r} is not a number.")
        options[name] = int(value)
    return options


def check_ports(options: dict[str, int]) -> None:
    """Name the variable that moves a busy port, before anything starts."""
    web, sim = options["PORT"], options["AAC_SIM_PORT"]
    ports = (
        (web, "PORT", "the portal's port", web + 10),
        (sim, "AAC_SIM_PORT", "the simulator's port", sim + 10),
        (
            sim + 1,
            "AAC_SIM_PORT",
            "the simulator's second port, AAC_SIM_PORT + 1",
            sim + 10,
        ),
    )
    for port, variable, what, other in ports:
        if port_in_use(port):
            raise DemoError(
                f"port {port} ({what}) is in use by another program. Choose "
                f"another with {variable}, e.g. `{variable}={other} make demo`."
            )


def run_demo(options: dict[str, int]) -> int:
    check_ports(options)
    var = Path(os.environ.setdefault("AAC_VAR_DIR", str(embedded.var_dir())))
    embedded.prepare(var)
    lock = claim_folder(var)
    logs = open_logs(var)
    credentials = var / "demo-credentials.json"
    web_url = f"http://127.0.0.1:{options['PORT']}"
    sim_url = f"http://127.0.0.1:{options['AAC_SIM_PORT']}"
    os.environ["AAC_SIMULATOR_URL"] = sim_url
    os.environ.setdefault("AAC_FIRST_VISIT_TOUR", "true")
    os.environ["AAC_SIMULATOR_GATEWAY_URL"] = (
        f"http://127.0.0.1:{options['AAC_SIM_PORT'] + 1}"
    )
    services: list[Service] = []

    def start(name, *args, log, restart=False, once=False, console=False):
        service = Service(
            name, list(args), log=logs[log], restart=restart, once=once, console=console
        )
        services.append(service.start())
        return service

    print(
        f"demo: starting the AAC simulator, the portal, a worker and beat "
        f"(logs in {shown_path(var / 'logs')}/) ...",
        flush=True,
    )
    try:
        simulator = start(
            "simulator",
            "-m", "aacsim",
            "--port", str(options["AAC_SIM_PORT"]),
            "--gateway-port", str(options["AAC_SIM_PORT"] + 1),
            "--workspaces", str(options["AAC_SIM_WORKSPACES"]),
            "--schedules", str(options["AAC_SIM_SCHEDULES"]),
            "--seed", "1",
            "--owner-scoped", str(options["AAC_SIM_OWNER_SCOPED"]),
            "--people-pairs", str(options["AAC_SIM_PEOPLE_PAIRS"]),
            # Alteryx's example client reads the demo's tokens.
            "--jwt-alphabet", "standard",
            # A week of runs, some 60,000 a workspace: the first syncs of all
            # three take about 40 s together.
            "--history-days", "7",
            "--credentials-file", str(credentials),
            log="simulator",
        )  # fmt: skip
        wait_for(f"{sim_url}/_sim/health", simulator)
        set_up_at = time.time()
        set_up(credentials, logs["setup"])
        # One task at a time: SQLite has one writer, and two first syncs
        # applying side by side made one wait past its busy timeout ("database
        # is locked") on a loaded machine.
        start(
            "worker",
            "-m", "celery", "-A", "aacportal", "worker", "--loglevel=INFO",
            "--concurrency=1", "--hostname=demo-worker@%h",
            log="worker", restart=True,
        )  # fmt: skip
        start(
            "beat", "-m", "celery", "-A", "aacportal", "beat", "--loglevel=INFO",
            log="beat", restart=True,
        )  # fmt: skip
        web = start(
            "web", "manage.py", "runserver", "--noreload",
            f"127.0.0.1:{options['PORT']}",
            log="web",
        )  # fmt: skip
        wait_for(f"{web_url}/health/live/", web)
        print(banner(web_url, credentials, var / "logs", options), flush=True)
        # Its lines on the console, Django's start-up chatter in the set-up log.
        start(
            "first sync's progress", "-m", "demo.progress", str(set_up_at),
            log="setup", once=True, console=True,
        )  # fmt: skip
        stopped = supervise(services)
        say(f"demo: {stopped.describe_exit()}; stopping the others.")
        return 1
    except KeyboardInterrupt:
        say("\ndemo: stopping ...")
        return 0
    finally:
        # A second Ctrl-C would only leave processes behind; the stop is bounded.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_all(services)
        for log in logs.values():
            log.close()
        lock.close()


def claim_folder(var: Path) -> IO:
    """One demo per folder: two would share a broker, and each one's worker
    would take the other's tasks without the key to its tokens. The lock
    lasts while the returned file is open (the services do not inherit it)."""
    lock = (var / "demo.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise DemoError(
            f"another demo runs in {shown_path(var)}/. Stop it first, or give "
            "this one a folder of its own with AAC_VAR_DIR."
        ) from None
    return lock


def say(text: str) -> None:
    """A line on the console, if there still is one (a closed pipe must not
    keep the demo from stopping its services)."""
    with contextlib.suppress(OSError):
        print(text, file=sys.stderr, flush=True)


def open_logs(var: Path) -> dict:
    """One log per process, begun afresh at each start, readable by this user
    alone (the database's set-up and the worker's logs name workspaces)."""
    folder = var / "logs"
    folder.mkdir(mode=embedded.PRIVATE_FOLDER, exist_ok=True)
    logs = {}
    for name in LOG_NAMES:
        path = folder / f"{name}.log"
        path.touch(mode=embedded.PRIVATE_FILE)
        logs[name] = path.open("w", buffering=1)
    return logs


def set_up(credentials: Path, log) -> None:
    """Migrate, then register the simulator's workspaces (`demo/setup.py`)."""
    for args in (
        ["manage.py", "migrate", "--no-input"],
        ["-m", "demo.setup", str(credentials)],
    ):
        done = subprocess.run(
            [sys.executable, *args],
            cwd=embedded.ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
        if done.returncode != 0:
            raise DemoError(f"setting up failed; see {shown_path(log.name)}")


def banner(url: str, credentials: Path, logs: Path, options: dict[str, int]) -> str:
    folder = shown_path(logs)
    return f"""
  AAC Portal is ready: {url}/

  Log in as  admin  / {DEMO_PASSWORD}   (a superuser: sees and does everything)
         or  viewer / {DEMO_PASSWORD}   (a viewer of every demo workspace)

  AAC is simulated at http://127.0.0.1:{options["AAC_SIM_PORT"]}/; the token pairs
  an admin would paste are in {shown_path(credentials)}.
  Logs (simulator, set-up, worker, beat, web): tail -f {folder}/*.log
  Ctrl-C stops everything.

  Syncing every workspace (a line as each ends; minutes the first time):"""


def wait_for(url: str, service: Service, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.running():
            raise DemoError(f"{service.describe_exit()}.")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own URL)
                return
        except OSError:
            time.sleep(0.2)
    raise DemoError(f"{url} did not answer within {timeout:.0f} s.")


if __name__ == "__main__":
    sys.exit(main())
