"""Page latency from the cache against the seed tutorial's live fetch.

Fills a database with 100 workspaces x 1,000 schedules (bulk_create) and times
the portal's pages through Django's test Client, logged in: p50, p95 and SQL
statements for the dashboard, the schedules table (first page, a filtered
page, a sorted page deep in the list) and a workspace page. Then the same
dashboard data fetched live the way the seed tutorial did: every page load
asks AAC (the simulator, in-process over real HTTP, 100 ms latency on every
request) for every workspace's schedules, and counts them in Python.

SQLite always (var/bench/pages.sqlite3); PostgreSQL too when DATABASE_URL is
set (in a database of its own, aacportal_bench_pages, created if missing).
Each database is measured in a child process of its own, since Django binds
to one database per process.

    .venv/bin/python bench/pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/pages.py
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR = ROOT / "var" / "bench"
PG_NAME = "aacportal_bench_pages"
WORKSPACES = 100
PER_WORKSPACE = 1000
RUNS_PER_WORKSPACE = 25
TARGET_P95_MS = 150
# Measured for information, outside the targets: a substring search has no
# index to use (ILIKE '%...%') and reads every row.
SEARCHED = "table, searched (no target)"
TARGET_RATIO = 50


def percentile(samples: list[float], q: int) -> float:
    """The q-th percentile (inclusive method: stays inside the samples)."""
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


# ---------------------------------------------------------------------------
# The portal, in a child process per database
# ---------------------------------------------------------------------------


def postgres_url(base: str) -> str:
    """DATABASE_URL with the benchmark's own database name; create it if needed."""
    import psycopg

    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return urlunsplit(parts._replace(path=f"/{PG_NAME}"))


def simulated_workspaces():
    """The simulator both sides read: same seed, same schedules."""
    from aacsim import Simulator

    sim = Simulator(seed=1)
    remotes = [
        sim.add_workspace(name=f"Workspace {n:03d}", schedules=PER_WORKSPACE)
        for n in range(WORKSPACES)
    ]
    return sim, remotes


def fill(*, refill: bool) -> None:
    """The simulator's 100 x 1,000 schedules, parsed as a sync would store them."""
    from django.contrib.auth import get_user_model
    from django.db.models import F
    from django.utils import timezone

    from schedules.models import Schedule, SyncRun
    from schedules.parse import parse_schedule
    from workspaces.models import Connection, Membership, Workspace

    expected = WORKSPACES * PER_WORKSPACE
    if not refill and Schedule.objects.count() == expected:
        print(f"  reusing {expected:,} schedules", file=sys.stderr)
        return analyze()
    started = time.perf_counter()
    Workspace.objects.all().delete()
    get_user_model().objects.all().delete()
    now = timezone.now()
    _, remotes = simulated_workspaces()
    workspaces = Workspace.objects.bulk_create(
        Workspace(name=remote.name, region="eu1") for remote in remotes
    )
    Connection.objects.bulk_create(
        Connection(workspace=workspace, slot=0, state="ok", listed_at=now)
        for workspace in workspaces
    )
    for workspace, remote in zip(workspaces, remotes, strict=True):
        parsed = [
            parse_schedule(json.loads(remote.encoded(i)), now=now)
            for i in remote.schedules
        ]
        Schedule.objects.bulk_create(
            Schedule(
                workspace=workspace,
                aac_id=p.aac_id,
                fingerprint=p.fingerprint,
                synced_at=now,
                seen_by=1,
                **p.fields,
            )
            for p in parsed
        )
    SyncRun.objects.bulk_create(
        SyncRun(
            workspace=workspace,
            trigger="beat",
            status="failed" if n % 10 == 3 else "succeeded",
            error_message="AAC is unavailable (503); nothing applied"
            if n % 10 == 3
            else "",
            started_at=now - timezone.timedelta(minutes=15 * n, seconds=20),
            finished_at=now - timezone.timedelta(minutes=15 * n),
            counts={"schedules": {"seen": PER_WORKSPACE}},
        )
        for workspace in workspaces
        for n in range(RUNS_PER_WORKSPACE)
    )
    # queued_at is auto_now_add: spread it like a real history.
    SyncRun.objects.update(queued_at=F("started_at") - timezone.timedelta(seconds=1))
    users = get_user_model().objects
    users.create_superuser("alice", "alice@example.com", "bench-password")
    bob = users.create_user("bob", "bob@example.com", "bench-password")
    Membership.objects.bulk_create(
        Membership(user=bob, workspace=workspace, role="operator")
        for workspace in workspaces[::2]
    )
    analyze()
    print(f"  filled in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def analyze() -> None:
    """Fresh statistics and (PostgreSQL) a visibility map for index-only scans,
    as autovacuum keeps them after syncs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


class StatementCounter:
    """A database execute wrapper that counts what a request sends."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure_pages(requests: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from workspaces.models import Workspace

    users = get_user_model().objects
    alice, bob = Client(), Client()
    alice.force_login(users.get(username="alice"))
    bob.force_login(users.get(username="bob"))
    some = Workspace.objects.order_by("name")[WORKSPACES // 2]
    pages = {
        "dashboard": (alice, "/"),
        "dashboard (member of 50)": (bob, "/"),
        "table, first page": (alice, "/schedules/"),
        "table, filtered": (
            alice,
            f"/schedules/?workspace={some.pk}&task=plan&enabled=yes&owner_disabled=no",
        ),
        SEARCHED: (alice, "/schedules/?q=sales"),
        "table, sorted, page 1000": (alice, "/schedules/?sort=-next&page=1000"),
        "workspace page": (alice, f"/workspaces/{some.pk}/"),
    }
    return time_pages(pages, requests)


def time_pages(pages: dict, requests: int) -> dict:
    """p50, p95 and SQL statements of each page: name -> (client, URL)."""
    from django.db import connection

    results = {}
    for name, (client, url) in pages.items():
        for _ in range(3):  # warm caches, connections, templates
            assert client.get(url).status_code == 200, url
        statements = StatementCounter()
        with connection.execute_wrapper(statements):
            client.get(url)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name] = {
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "statements": statements.count,
        }
    return results


def child(backend: str, *, requests: int, refill: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    fill(refill=refill)
    results = measure_pages(requests)
    server = connection.pg_version if connection.vendor == "postgresql" else None
    print(json.dumps({"backend": backend, "server": server, "pages": results}))


def run_child(backend: str, url: str, args) -> dict:
    """Production settings (DEBUG off, manifest static files), this database."""
    from cryptography.fernet import Fernet

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
    command = [sys.executable, __file__, "--child", backend]
    command += ["--requests", str(args.requests)]
    if args.refill:
        command.append("--refill")
    print(f"{backend}: filling and measuring ...", file=sys.stderr)
    done = subprocess.run(
        command, env=env, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# The seed tutorial's way: ask AAC for everything on every page load
# ---------------------------------------------------------------------------


def live_dashboard(api_url: str, tokens: dict[int, str], session) -> dict:
    """Page through GET /v4/schedules for every workspace, then count in Python."""
    totals = {"schedules": 0, "enabled": 0, "owner_disabled": 0}
    by_owner, by_task, by_workspace = {}, {}, {}
    for workspace_id, token in tokens.items():
        offset = 0
        while True:
            response = session.get(
                f"{api_url}/v4/schedules",
                params={"limit": PER_WORKSPACE, "offset": offset},
                headers={
                    "Authorization": f"Bearer {token}",
                    "x-trifacta-workspace-id": str(workspace_id),
                },
                timeout=30,
            )
            response.raise_for_status()
            page = response.json()["data"]
            for item in page:
                creator = item.get("creator") or {}
                totals["schedules"] += 1
                totals["enabled"] += bool(item.get("enabled"))
                totals["owner_disabled"] += bool(creator.get("isDisabled"))
                owner = creator.get("email", "")
                by_owner[owner] = by_owner.get(owner, 0) + 1
                task = next(iter((item.get("tasks") or [{}])[0]), "other")
                by_task[task] = by_task.get(task, 0) + 1
                by_workspace[workspace_id] = by_workspace.get(workspace_id, 0) + 1
            if len(page) < PER_WORKSPACE:
                break
            offset += PER_WORKSPACE
    return {"totals": totals, "owners": len(by_owner), "tasks": by_task}


def measure_live(loads: int) -> dict:
    import requests

    from aacsim import Fault
    from aacsim.server import serve

    print("live: building the simulator ...", file=sys.stderr)
    sim, remotes = simulated_workspaces()
    times = []
    with serve(sim) as urls, requests.Session() as session:
        # Tokens carry the issuer, known once the simulator is served.
        tokens = {r.id: sim.new_token_pair(r.id).access_token for r in remotes}
        sim.faults.add(Fault(kind="latency", seconds=0.1))
        for n in range(loads):
            started = time.perf_counter()
            data = live_dashboard(urls.api, tokens, session)
            times.append((time.perf_counter() - started) * 1000)
            print(
                f"live: load {n + 1}/{loads} {times[-1] / 1000:.1f} s", file=sys.stderr
            )
        requests_per_load = sum(sim.stats.requests.values()) // loads
    assert data["totals"]["schedules"] == WORKSPACES * PER_WORKSPACE
    return {
        "p50": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "requests_per_load": requests_per_load,
    }


# ---------------------------------------------------------------------------


def print_portal(result: dict) -> None:
    server = f" {result['server']}" if result["server"] else ""
    print(f"\n{result['backend']}{server}, {WORKSPACES} workspaces x {PER_WORKSPACE:,}")
    print(f"  {'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
    for name, page in result["pages"].items():
        print(
            f"  {name:<28} {page['p50']:8.1f} {page['p95']:8.1f} "
            f"{page['statements']:5d}"
        )
    if result["backend"] == "postgresql":
        slow = [
            name
            for name, page in result["pages"].items()
            if page["p95"] >= TARGET_P95_MS and name != SEARCHED
        ]
        verdict = f"not met by: {', '.join(slow)}" if slow else "met"
        print(f"  target p95 < {TARGET_P95_MS} ms: {verdict}")
    sys.stdout.flush()


def print_live(live: dict, portal: list[dict]) -> None:
    print(
        f"\nlive fetch, the seed tutorial's way: {live['requests_per_load']} requests "
        f"per load, 100 ms latency each: median {live['p50'] / 1000:.1f} s "
        f"(min {live['min'] / 1000:.1f} s, max {live['max'] / 1000:.1f} s)"
    )
    for result in portal:
        dashboard = result["pages"]["dashboard"]
        median = live["p50"] / dashboard["p50"]
        worst = live["min"] / dashboard["p95"]
        verdict = "met" if worst >= TARGET_RATIO else "not met"
        print(
            f"  {result['backend']} dashboard: {median:,.0f}x faster at the median, "
            f"{worst:,.0f}x from the live fetch's fastest load to the dashboard's "
            f"p95 (target >= {TARGET_RATIO}x: {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="timed per page")
    parser.add_argument("--live-loads", type=int, default=3)
    parser.add_argument("--refill", action="store_true", help="rebuild the data")
    parser.add_argument(
        "--only", choices=["sqlite", "postgresql"], help="measure one database"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, requests=args.requests, refill=args.refill)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    backends = [("sqlite", f"sqlite:///{VAR / 'pages.sqlite3'}")]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        backends.append(("postgresql", postgres_url(os.environ["DATABASE_URL"])))
    portal = []
    for name, url in backends:
        if args.only in (None, name):
            portal.append(run_child(name, url, args))
            print_portal(portal[-1])
    if args.live_loads:
        print_live(measure_live(args.live_loads), portal)


if __name__ == "__main__":
    main()
