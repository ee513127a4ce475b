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
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR = ROOT / "var" / "bench"
# Several checkouts benchmarking on one server each name their own.
PG_NAME = os.environ.get("BENCH_PAGES_PG_NAME", "aacportal_bench_pages")
# Workspaces of PER_WORKSPACE schedules and RUNS_PER_WORKSPACE runs, per database.
WORKSPACES = {"postgresql": 1_000, "sqlite": 100}
PER_WORKSPACE = 1_000
RUNS_PER_WORKSPACE = 2_000
RUN_DAYS = 7
SYNC_RUNS_PER_WORKSPACE = 3
# Findings muted in one workspace of ten (the rules' findings are copied).
MUTED_PER_WORKSPACE = 3
# bob is a member of this many workspaces; alice is a superuser.
BOB_WORKSPACES = 50
# The live fetch reads this many simulated workspaces per load.
LIVE_WORKSPACES = 100
TARGET_P95_MS = 100
TARGET_RATIO = 100


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


def simulated_workspaces(count: int = LIVE_WORKSPACES):
    """The simulator both sides read: same seed, same schedules."""
    from aacsim import Simulator

    sim = Simulator(seed=1)
    remotes = [
        sim.add_workspace(name=f"Workspace {n:04d}", schedules=PER_WORKSPACE)
        for n in range(count)
    ]
    return sim, remotes


def fill(workspaces: int, *, refill: bool) -> None:
    """`workspaces` x PER_WORKSPACE schedules and RUNS_PER_WORKSPACE runs each.

    One workspace is the simulator's (seed 1), parsed as a sync stores it,
    with a week of runs of its scheduled targets and their rollups; every
    other workspace is a copy of it made by one INSERT ... SELECT per table,
    so a million rows take minutes, not hours. Then each workspace's summary,
    written by the sync's own function, and fresh statistics.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from schedules.models import Schedule, SyncRun
    from workspaces.models import Connection, Workspace

    expected = workspaces * PER_WORKSPACE
    if not refill and Schedule.objects.count() == expected:
        say(f"reusing {expected:,} schedules")
        return finish(list(Workspace.objects.order_by("pk")), timezone.now())
    started = time.perf_counter()
    Workspace.objects.all().delete()
    get_user_model().objects.all().delete()
    now = timezone.now()
    template = fill_template(now)
    others = Workspace.objects.bulk_create(
        Workspace(name=f"Workspace {n:04d}", region="eu1") for n in range(1, workspaces)
    )
    every = [template, *others]
    Connection.objects.bulk_create(
        Connection(workspace=workspace, slot=0, state="ok", listed_at=now)
        for workspace in others
    )
    with connection.cursor() as cursor:
        search_index(cursor, create=False)
        for model in cloned_models():
            say(f"copying {model._meta.db_table} to {len(others):,} workspaces")
            cursor.execute(*clone_sql(model, template.pk))
        search_index(cursor, create=True)
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
        for workspace in every
        for n in range(SYNC_RUNS_PER_WORKSPACE)
    )
    # queued_at is auto_now_add: spread it like a real history.
    SyncRun.objects.update(queued_at=F("started_at") - timezone.timedelta(seconds=1))
    finish(every, now)
    say(f"filled in {time.perf_counter() - started:.0f} s")


def finish(every: list, now) -> None:
    """What a fill left undone: the summaries the syncs would have written,
    the findings the rules open, the users, fresh statistics."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from schedules import summaries
    from schedules.models import WorkspaceSummary
    from workspaces.models import Membership

    done = set(WorkspaceSummary.objects.values_list("pk", flat=True))
    missing = [workspace for workspace in every if workspace.pk not in done]
    if missing:
        say(f"summaries of {len(missing):,} workspaces")
    for workspace in missing:
        # As the sync records it: in a transaction (it locks the total's row).
        with transaction.atomic():
            summaries.record(workspace.pk, now=now)
    users = get_user_model().objects
    open_findings(every, now)
    if not users.filter(username="alice").exists():
        users.create_superuser("alice", "alice@example.com", "bench-password")
        bob = users.create_user("bob", "bob@example.com", "bench-password")
        Membership.objects.bulk_create(
            Membership(user=bob, workspace=workspace, role="operator")
            for workspace in every[:: len(every) // BOB_WORKSPACES][:BOB_WORKSPACES]
        )
    analyze()


def open_findings(every: list, now) -> None:
    """What the attention rules find in the first workspace (evaluated by
    `attention.evaluate`, as after its sync), copied to every other one, and
    one in ten workspaces with a few of them muted: the findings the
    attention page and the dashboard's "what needs you today" count."""
    from django.db import connection

    from attention.evaluate import evaluate_workspace
    from attention.models import Finding, Mute, OpenCount

    if Finding.objects.exists():
        return
    template, others = every[0], every[1:]
    say("evaluating the attention rules of the first workspace")
    evaluate_workspace(workspace=template, now=now)  # and counts them
    # Opened over the past month, as a portal's findings are; not all today.
    found = list(Finding.objects.filter(workspace=template).order_by("id"))
    for n, finding in enumerate(found):
        finding.opened_at = now - timedelta(days=n % 30, hours=n % 24)
    Finding.objects.bulk_update(found, ["opened_at"])
    with connection.cursor() as cursor:
        for model in (Finding, OpenCount):
            say(f"copying {model._meta.db_table} to {len(others):,} workspaces")
            cursor.execute(*clone_sql(model, template.pk))
    frequent = Finding.objects.filter(rule="frequent_schedule").order_by("id")
    Mute.objects.bulk_create(
        Mute(
            workspace_id=finding.workspace_id,
            rule=finding.rule,
            subject_kind=finding.subject_kind,
            subject_id=finding.subject_id,
            reason="Runs often on purpose",
            muted_by_name="bench",
            muted_at=now,
        )
        for workspace in every[::10]
        for finding in frequent.filter(workspace=workspace)[:MUTED_PER_WORKSPACE]
    )
    say(f"{Finding.objects.count():,} open findings, {Mute.objects.count()} muted")


def fill_template(now):
    """The first workspace: the simulator's, as a sync of every kind stores it,
    and a week of runs of its scheduled plans, flows and workflows."""
    from aacsim.api.assets import asset_json
    from bench.run_pages import store
    from schedules.assets.models import ASSET_MODELS, Run
    from schedules.assets.parse import parse_flow, parse_plan, parse_workflow
    from schedules.assets.rollups import count_hours, update_assets
    from schedules.models import Flow, Person, Plan, Schedule, Workflow
    from schedules.parse import parse_schedule
    from schedules.people import parse_person
    from workspaces.models import Connection, Workspace

    _, (remote,) = simulated_workspaces(1)
    workspace = Workspace.objects.create(name=remote.name, region="eu1")
    Connection.objects.create(workspace=workspace, slot=0, state="ok", listed_at=now)
    store(Person, workspace, parse_person, remote.people, now=now)
    schedules = [json.loads(remote.encoded(i)) for i in remote.schedules]
    store(Schedule, workspace, parse_schedule, schedules, now=now)
    for kind, model, parse in (
        ("plan", Plan, parse_plan),
        ("flow", Flow, parse_flow),
        ("workflow", Workflow, parse_workflow),
    ):
        assets = remote.assets.by_kind[kind].values()
        items = [asset_json(a, remote.id) for a in assets]
        store(model, workspace, parse, items, now=now)
    targets = list(
        Schedule.objects.filter(
            workspace=workspace, task_kind__in=["plan", "flow", "workflow"]
        )
        .exclude(target_id="")
        .order_by("aac_id")
    )
    spacing = RUN_DAYS * 86400 / RUNS_PER_WORKSPACE
    runs = []
    for k in range(RUNS_PER_WORKSPACE):
        target = targets[k % len(targets)]
        created = now - timedelta(seconds=k * spacing)
        running = k < 30
        failed = not running and (k % 20 == 0 or (k % len(targets)) % 50 == 0)
        runs.append(
            Run(
                workspace=workspace,
                aac_id=1_000_000_000 + k,
                run_aac_id=1_500_000_000 + k,
                asset_kind=target.task_kind,
                asset_aac_id=target.target_id,
                asset_name=target.target_name,
                schedule_aac_id=None if k % 9 == 0 else target.aac_id,
                status="InProgress" if running else "Failed" if failed else "Complete",
                ranfrom=("ui", "api")[k % 2] if k % 9 == 0 else "schedule",
                aac_created_at=created,
                aac_updated_at=created + timedelta(minutes=5),
                started_at=created + timedelta(seconds=20),
                finished_at=None if running else created + timedelta(minutes=5),
                duration_seconds=None if running else 280,
                error_message="Connection to Snowflake timed out after 300 s"
                if failed
                else "",
                raw={},
                synced_at=now,
                seen_by=1,
                pending=False,
            )
        )
    Run.objects.bulk_create(runs, batch_size=1000)
    for model in ASSET_MODELS.values():
        update_assets(model.objects.filter(workspace=workspace))
    hour = now.replace(minute=0, second=0, microsecond=0)
    count_hours(
        workspace, [hour - timedelta(hours=h) for h in range(RUN_DAYS * 24 + 1)]
    )
    return workspace


def cloned_models() -> list:
    from schedules.models import Flow, Person, Plan, Run, RunHour, Schedule, Workflow

    return [Person, Schedule, Plan, Flow, Workflow, Run, RunHour]


def clone_sql(model, template: int) -> tuple[str, list]:
    """INSERT ... SELECT: the template workspace's rows, for every other one."""
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if not f.primary_key and f.column != "workspace_id"
    ]
    names = ", ".join(columns)
    picked = ", ".join(f"t.{c}" for c in columns)
    table = model._meta.db_table
    return (
        f"INSERT INTO {table} (workspace_id, {names}) "  # noqa: S608 (bench)
        f"SELECT w.id, {picked} FROM {table} t, workspaces_workspace w "
        "WHERE t.workspace_id = %s AND w.id <> %s",
        [template, template],
    )


def search_index(cursor, *, create: bool) -> None:
    """PostgreSQL builds the trigram index over a million rows faster at once
    than row by row: dropped before the copy, made again after it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    if not create:
        cursor.execute("DROP INDEX IF EXISTS schedule_search_trgm")
        return
    from importlib import import_module

    migration = import_module("schedules.migrations.0009_search_index")
    for sql in migration.POSTGRES:
        cursor.execute(sql)


def say(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


def measure_pages(requests: int, only: list[str]) -> dict:
    """Every target page (or those whose slug holds one of `only`)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from schedules.listing import SORTS, Order, cursor_of, in_order
    from schedules.models import Run, Schedule
    from workspaces.models import Workspace

    users = get_user_model().objects
    alice, bob = Client(), Client()
    alice.force_login(users.get(username="alice"))
    bob.force_login(users.get(username="bob"))
    count = Workspace.objects.count()
    some = Workspace.objects.order_by("name")[count // 2]
    busiest = (
        Run.objects.filter(workspace=some, schedule_aac_id__isnull=False)
        .order_by("aac_id")
        .values_list("schedule_aac_id", flat=True)
        .first()
    )
    schedule = Schedule.objects.get(workspace=some, aac_id=busiest)
    # A name, an owner and an asset, each a substring of a few rows' column.
    pick = Schedule.objects.filter(workspace=some).order_by("aac_id")[7]
    # Half way down the list sorted by next run, by the cursor of the page
    # that ends there (the table pages by keyset, as its Next link does).
    deep = count * PER_WORKSPACE // 2
    order = Order.of("-next", SORTS)
    pk, value = in_order(Schedule.objects.all(), order).values_list("id", "sort_value")[
        deep - 1
    ]
    pages = {
        "dashboard": (alice, "/"),
        f"dashboard, member of {BOB_WORKSPACES}": (bob, "/"),
        "table, first page": (alice, "/schedules/"),
        "table, filtered": (
            alice,
            f"/schedules/?workspace={some.pk}&task=plan&enabled=yes&owner_disabled=no",
        ),
        f"table, sorted by next run, {deep:,} rows in": (
            alice,
            f"/schedules/?sort=-next&after={cursor_of(value, pk)}",
        ),
        "table, searched by name": (alice, f"/schedules/?q={pick.name[2:12]}"),
        "table, searched by owner": (alice, f"/schedules/?q={pick.owner_email[:6]}"),
        "table, searched by asset": (
            alice,
            f"/schedules/?q={pick.target_name[-10:]}",
        ),
        "workspace page": (alice, f"/workspaces/{some.pk}/"),
        "schedule page": (alice, f"/workspaces/{some.pk}/schedules/{schedule.aac_id}/"),
        "runs table": (alice, "/runs/"),
    }
    try:
        pages["attention page"] = (alice, reverse("pages:attention"))
    except NoReverseMatch:
        say("no attention page in this checkout: not measured")
    if only:
        pages = {k: v for k, v in pages.items() if any(w in slug(k) for w in only)}
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


def child(backend: str, *, requests: int, refill: bool, only: list[str]) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    fill(WORKSPACES[backend], refill=refill)
    load = os.getloadavg()
    results = measure_pages(requests, only)
    server = connection.pg_version if connection.vendor == "postgresql" else None
    print(
        json.dumps(
            {
                "backend": backend,
                "server": server,
                "pages": results,
                "load": [load, os.getloadavg()],
            }
        )
    )


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
    for page in args.page:
        command += ["--page", page]
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
    assert data["totals"]["schedules"] == LIVE_WORKSPACES * PER_WORKSPACE
    return {
        "p50": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "requests_per_load": requests_per_load,
    }


# ---------------------------------------------------------------------------


def print_portal(result: dict) -> None:
    server = f" {result['server']}" if result["server"] else ""
    workspaces = WORKSPACES[result["backend"]]
    load = " -> ".join(f"{m[0]:.2f}" for m in result["load"])
    print(
        f"\n{result['backend']}{server}, {workspaces:,} workspaces x "
        f"{PER_WORKSPACE:,} schedules, {RUNS_PER_WORKSPACE:,} runs each "
        f"(load average {load})"
    )
    print(f"  {'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
    for name, page in result["pages"].items():
        print(
            f"  {name:<40} {page['p50']:8.1f} {page['p95']:8.1f} "
            f"{page['statements']:5d}"
        )
    sys.stdout.flush()


def live_ratio(live: dict, result: dict) -> float:
    """From the live fetch's fastest load to the dashboard's p95."""
    return live["min"] / result["pages"]["dashboard"]["p95"]


def print_live(live: dict, portal: list[dict]) -> None:
    print(
        f"\nlive fetch, the seed tutorial's way: {LIVE_WORKSPACES} workspaces, "
        f"{live['requests_per_load']} requests per load, 100 ms latency each: "
        f"median {live['p50'] / 1000:.1f} s (min {live['min'] / 1000:.1f} s, "
        f"max {live['max'] / 1000:.1f} s)"
    )
    for result in portal:
        dashboard = result["pages"]["dashboard"]
        print(
            f"  {result['backend']} dashboard ({WORKSPACES[result['backend']]:,} "
            f"workspaces): {live['p50'] / dashboard['p50']:,.0f}x faster at the "
            f"median, {live_ratio(live, result):,.0f}x from the live fetch's "
            "fastest load to the dashboard's p95"
        )


def target(name: str, measured: float, limit: float, *, at_least: bool = False):
    met = measured >= limit if at_least else measured < limit
    print(f"TARGET {name} {measured:.1f} {limit:g} {'met' if met else 'missed'}")
    return met


def print_targets(portal: list[dict], live: dict | None) -> bool:
    """One line per target, last: `TARGET <name> <measured> <limit> met|missed`."""
    met = True
    print()
    for result in portal:
        prefix = "pg" if result["backend"] == "postgresql" else "sqlite"
        for name, page in result["pages"].items():
            met &= target(f"{prefix}.{slug(name)}.p95_ms", page["p95"], TARGET_P95_MS)
        if live:
            met &= target(
                f"{prefix}.dashboard_vs_live",
                live_ratio(live, result),
                TARGET_RATIO,
                at_least=True,
            )
    return met


def slug(name: str) -> str:
    """ "table, searched by name" -> "table_searched_by_name"."""
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    return "_".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="timed per page")
    parser.add_argument("--live-loads", type=int, default=3)
    parser.add_argument("--refill", action="store_true", help="rebuild the data")
    parser.add_argument(
        "--only", choices=["sqlite", "postgresql"], help="measure one database"
    )
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        help="time only the pages whose name holds this (a TARGET name's part, "
        "such as runs_table); may be repeated",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, requests=args.requests, refill=args.refill, only=args.page)
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
    # The live fetch is weighed against the dashboard: not without it.
    timed = args.live_loads and all("dashboard" in r["pages"] for r in portal)
    live = measure_live(args.live_loads) if timed else None
    if live:
        print_live(live, portal)
    sys.exit(0 if print_targets(portal, live) else 1)


if __name__ == "__main__":
    main()
