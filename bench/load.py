"""The upcoming load (every run of the coming week) at 100,000 schedules (PostgreSQL).

Fills a database of its own (aacportal_bench_load) with 100 workspaces of the
simulator's 1,000 schedules each, parsed and stored as a sync stores them
(`bench/run_pages.py`'s `store`). Then computes `schedules.load.upcoming_load`
over all of them and per workspace: cold (no cron's runs cached in the
process, as after a start or at a new UTC day) and warm, with the SQL
statements each costs, the distinct (cron, timezone) pairs and the schedules
read from their raw triggers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/load.py
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import StatementCounter, percentile  # noqa: E402
from bench.run_pages import store  # noqa: E402
from bench.sync import VAR, create_postgres, drop_postgres  # noqa: E402

PG_NAME = "aacportal_bench_load"
WORKSPACES = 100
SCHEDULES = 1_000
TARGET_ALL_COLD_S = 5.0
TARGET_ALL_WARM_S = 1.0
TARGET_WORKSPACE_WARM_P95_MS = 50


def say(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fill() -> None:
    from django.utils import timezone

    from aacsim import Simulator
    from schedules.models import Schedule
    from schedules.parse import parse_schedule
    from workspaces.models import Connection, Workspace

    now = timezone.now()
    sim = Simulator(seed=5, history_days=0)
    for n in range(WORKSPACES):
        remote = sim.add_workspace(name=f"Workspace {n:03d}", schedules=SCHEDULES)
        workspace = Workspace.objects.create(name=remote.name, region="eu1")
        Connection.objects.create(workspace=workspace, slot=0, state="ok")
        schedules = [json.loads(remote.encoded(i)) for i in remote.schedules]
        store(Schedule, workspace, parse_schedule, schedules, now=now)


def timed(fn) -> tuple[float, int, object]:
    from django.db import connection

    counter = StatementCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = fn()
    return time.perf_counter() - started, counter.count, result


def child() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from schedules import load
    from schedules.models import Schedule
    from workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    say(f"{WORKSPACES * SCHEDULES:,} schedules from the simulator")
    fill()
    now = timezone.now()
    every = Schedule.objects.all()
    firing = every.filter(enabled=True, next_run_at__isnull=False)
    results = {
        "schedules": every.count(),
        "distinct_crons": firing.exclude(cron="")
        .values("cron", "timezone")
        .distinct()
        .count(),
        "read_raw": firing.filter(load.IRREGULAR).count(),
    }
    load._week_of_slots.cache_clear()
    cold, statements, week = timed(lambda: load.upcoming_load(every, now=now))
    warm, _, _ = timed(lambda: load.upcoming_load(every, now=now))
    results |= {
        "runs": week.total,
        "all_cold_s": cold,
        "all_warm_s": warm,
        "all_statements": statements,
    }
    seconds, counts = [], set()
    for workspace in Workspace.objects.order_by("pk"):
        mine = Schedule.objects.filter(workspace=workspace)
        took, statements, _ = timed(lambda mine=mine: load.upcoming_load(mine, now=now))
        seconds.append(took * 1000)
        counts.add(statements)
    results |= {
        "workspace_warm_ms": {
            "p50": percentile(seconds, 50),
            "p95": percentile(seconds, 95),
            "max": max(seconds),
        },
        "workspace_statements": sorted(counts),
        "load": os.getloadavg(),
    }
    print(json.dumps(results))


def report(results: dict) -> None:
    ws = results["workspace_warm_ms"]
    print(
        f"{results['schedules']:,} schedules, {results['distinct_crons']:,} distinct "
        f"(cron, timezone) pairs among the firing ones, {results['read_raw']:,} read "
        f"from their raw triggers; {results['runs']:,} runs in the coming week"
    )
    print(
        f"all workspaces: {results['all_cold_s']:.2f} s cold, "
        f"{results['all_warm_s']:.2f} s warm, {results['all_statements']} statements"
    )
    print(
        f"one workspace, warm: p50 {ws['p50']:.1f} ms, p95 {ws['p95']:.1f} ms, "
        f"max {ws['max']:.1f} ms; statements {results['workspace_statements']}"
    )
    print(f"load average {results['load']}")
    checks = [
        ("all cold", results["all_cold_s"], TARGET_ALL_COLD_S),
        ("all warm", results["all_warm_s"], TARGET_ALL_WARM_S),
        ("workspace warm p95 ms", ws["p95"], TARGET_WORKSPACE_WARM_P95_MS),
    ]
    for name, measured, limit in checks:
        met = measured < limit
        print(f"TARGET {name} {measured:.2f} {limit:g} {'met' if met else 'missed'}")
    flat = results["all_statements"] == 3 and results["workspace_statements"] == [3]
    print(f"TARGET statements 3 however many schedules {'met' if flat else 'missed'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("load.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    from cryptography.fernet import Fernet

    VAR.mkdir(parents=True, exist_ok=True)
    url = create_postgres(base, PG_NAME)
    env = dict(
        os.environ,
        AAC_VAR_DIR=str(VAR),
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="aacportal.settings",
        DEBUG="false",
        SECRET_KEY="bench-only-" + Fernet.generate_key().decode(),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child"],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    finally:
        drop_postgres(base, PG_NAME)
    report(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
