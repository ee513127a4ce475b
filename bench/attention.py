"""The attention rules at 100 workspaces x 1,000 schedules (PostgreSQL).

Fills a database of its own (aacportal_bench_attention) with 100 workspaces of
the simulator's schedules, plans, flows and workflows (as `bench/run_pages.py`
stores them) and 3,000 runs a workspace over three days, written straight into
the table, every twentieth failed and every run of each fiftieth target too.
Then evaluates every workspace's rules twice, as the beat does: the first
evaluation opens the findings, the second is the steady state after a sync
that changed nothing. Per workspace: wall time (p50, p95, max) and SQL
statements, a few per rule whatever the workspace holds. Then the pages
that read the findings: the attention page, one rule's page, the dashboard,
and a /metrics scrape.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/attention.py
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run_pages  # noqa: E402
from bench.pages import StatementCounter, analyze, percentile, time_pages  # noqa: E402
from bench.sync import VAR, create_postgres, drop_postgres  # noqa: E402

PG_NAME = "aacportal_bench_attention"
WORKSPACES = 100
SCHEDULES = 1_000
RUNS = 3_000  # a workspace
DAYS = 3
TARGET_EVALUATION_P95_S = 1.0
# Each rule's few queries and the writes: one more when some words changed.
TARGET_STATEMENTS = 30
TARGET_PAGE_P95_MS = 150


def say(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def evaluate_every_workspace() -> dict:
    from django.db import connection
    from django.utils import timezone

    from attention.evaluate import evaluate_workspace
    from workspaces.models import Workspace

    seconds, statements, opened = [], [], 0
    for workspace in Workspace.objects.order_by("pk"):
        counter = StatementCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            outcome = evaluate_workspace(workspace=workspace, now=timezone.now())
        seconds.append(time.perf_counter() - started)
        statements.append(counter.count)
        opened += outcome.opened
    return {
        "total": sum(seconds),
        "p50": statistics.median(seconds),
        "p95": percentile(seconds, 95),
        "max": max(seconds),
        "statements": sorted(set(statements)),
        "opened": opened,
    }


def pages_to_time() -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.AAC_METRICS_TOKEN = "bench"
    users = get_user_model().objects
    alice, bob, prometheus = (
        Client(),
        Client(),
        Client(HTTP_AUTHORIZATION="Bearer bench"),
    )
    alice.force_login(users.get(username="alice"))
    bob.force_login(users.get(username="bob"))
    return {
        "attention": (alice, "/attention/"),
        "attention, member of 50": (bob, "/attention/"),
        "attention, one rule": (alice, "/attention/?rule=owner_disabled"),
        "dashboard": (alice, "/"),
        "metrics": (prometheus, "/metrics"),
    }


def child(requests: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from attention.models import Finding

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    run_pages.WORKSPACES, run_pages.SCHEDULES, run_pages.DAYS = (
        WORKSPACES,
        SCHEDULES,
        DAYS,
    )
    say("workspaces, schedules and assets")
    workspaces = run_pages.fill_workspaces()
    run_pages.fill_runs(workspaces, RUNS)
    say("evaluating")
    first = evaluate_every_workspace()
    analyze()
    steady = evaluate_every_workspace()
    findings = dict(
        Finding.objects.order_by().values_list("rule").annotate(n=Count("pk"))
    )
    say("pages")
    pages = time_pages(pages_to_time(), requests)
    print(
        json.dumps(
            {
                "first": first,
                "steady": steady,
                "findings": findings,
                "pages": pages,
                "load": os.getloadavg(),
            }
        )
    )


def report(results: dict) -> None:
    print(
        f"\nPostgreSQL, {WORKSPACES} workspaces x {SCHEDULES:,} schedules, "
        f"{RUNS:,} runs each over {DAYS} days"
    )
    print(
        "  findings opened: "
        + ", ".join(f"{k} {v:,}" for k, v in results["findings"].items())
    )
    heads = f"{'total s':>8} {'p50 s':>7} {'p95 s':>7} {'max s':>7}"
    print(f"  {'evaluation':<22} {heads}  SQL")
    for name in ("first", "steady"):
        r = results[name]
        print(
            f"  {name:<22} {r['total']:8.1f} {r['p50']:7.3f} {r['p95']:7.3f} "
            f"{r['max']:7.3f}  {r['statements']}"
        )
    print(f"  {'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
    for name, page in results["pages"].items():
        times = f"{page['p50']:8.1f} {page['p95']:8.1f}"
        print(f"  {name:<28} {times} {page['statements']:5d}")
    load = ", ".join(f"{n:.2f}" for n in results["load"])
    print(f"  load average after measuring: {load}")
    steady = results["steady"]
    print(
        f"TARGET evaluation p95 < {TARGET_EVALUATION_P95_S} s a workspace: "
        + ("met" if steady["p95"] < TARGET_EVALUATION_P95_S else "not met")
    )
    most = max(results["first"]["statements"] + steady["statements"])
    print(
        f"TARGET SQL statements of any workspace's evaluation <= {TARGET_STATEMENTS}: "
        + ("met" if most <= TARGET_STATEMENTS else "not met")
        + f" ({most})"
    )
    slow = [n for n, p in results["pages"].items() if p["p95"] >= TARGET_PAGE_P95_MS]
    print(
        f"TARGET page p95 < {TARGET_PAGE_P95_MS} ms: "
        + (f"not met by: {', '.join(slow)}" if slow else "met")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed per page")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.requests)
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("attention.py measures PostgreSQL: set DATABASE_URL=postgres://...")
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
            [sys.executable, __file__, "--child", "--requests", str(args.requests)],
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
