"""`python -m demo`: run the simulator, the web server, a worker and beat together.

Everything runs on the embedded defaults (SQLite, the filesystem broker) with
the simulator as region "sim". The var folder, the broker's folders and the
encryption key are made first, before any process reads the settings (which
make nothing themselves). A worker or beat that dies is started again
(`demo/services.py`); Ctrl-C stops every process cleanly.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from aacportal import embedded
from demo.services import Service, stop_all, supervise

WEB_PORT = int(os.environ.get("PORT", "8000"))
SIM_PORT = int(os.environ.get("AAC_SIM_PORT", "8800"))
SIM_WORKSPACES = os.environ.get("AAC_SIM_WORKSPACES", "3")
SIM_SCHEDULES = os.environ.get("AAC_SIM_SCHEDULES", "1500")
# The last workspace lists each owner's schedules, with three people connected:
# the demo shows an honest partial coverage beside complete ones.
SIM_OWNER_SCOPED = os.environ.get("AAC_SIM_OWNER_SCOPED", "1")
SIM_PEOPLE_PAIRS = os.environ.get("AAC_SIM_PEOPLE_PAIRS", "3")


def main() -> int:
    var = Path(os.environ.setdefault("AAC_VAR_DIR", str(embedded.var_dir())))
    embedded.prepare(var)
    credentials = var / "demo-credentials.json"
    os.environ["AAC_SIMULATOR_URL"] = f"http://127.0.0.1:{SIM_PORT}"
    os.environ["AAC_SIMULATOR_GATEWAY_URL"] = f"http://127.0.0.1:{SIM_PORT + 1}"
    services: list[Service] = []
    # A SIGTERM (from a supervisor or `timeout`) stops the children like Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    def start(name, *args, restart=False):
        services.append(Service(name, list(args), restart=restart).start())

    def run(*args):
        subprocess.run([sys.executable, *args], cwd=embedded.ROOT, check=True)

    try:
        start(
            "simulator",
            "-m", "aacsim",
            "--port", str(SIM_PORT),
            "--gateway-port", str(SIM_PORT + 1),
            "--workspaces", SIM_WORKSPACES,
            "--schedules", SIM_SCHEDULES,
            "--seed", "1",
            "--owner-scoped", SIM_OWNER_SCOPED,
            "--people-pairs", SIM_PEOPLE_PAIRS,
            # Alteryx's example client reads the demo's tokens.
            "--jwt-alphabet", "standard",
            # A week of runs, some 60,000 a workspace: the first syncs of all
            # three take about 40 s together.
            "--history-days", "7",
            "--credentials-file", str(credentials),
        )  # fmt: skip
        _wait_for(f"{os.environ['AAC_SIMULATOR_URL']}/_sim/health", services[0])
        run("manage.py", "migrate", "--no-input", "-v0")
        run("-m", "demo.setup", str(credentials))
        start(
            "worker",
            "-m", "celery", "-A", "aacportal", "worker", "--loglevel=INFO",
            "--concurrency=2", "--hostname=demo-worker@%h",
            restart=True,
        )  # fmt: skip
        start(
            "beat", "-m", "celery", "-A", "aacportal", "beat", "--loglevel=INFO",
            restart=True,
        )  # fmt: skip
        start("web", "manage.py", "runserver", "--noreload", f"127.0.0.1:{WEB_PORT}")
        print(
            f"\n  AAC Portal: http://127.0.0.1:{WEB_PORT}/\n"
            "  Log in as admin / aacportal-demo (superuser)"
            " or viewer / aacportal-demo (viewer)\n"
            f"  Health:     http://127.0.0.1:{WEB_PORT}/health/\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        stopped = supervise(services)
        print(f"demo: the {stopped.name} stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_all(services)


def _wait_for(url: str, service: Service, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise SystemExit("demo: the simulator exited at start-up")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own URL)
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"demo: {url} did not answer within {timeout} s")


if __name__ == "__main__":
    sys.exit(main())
