"""Sync benchmark: how close a sync comes to just downloading AAC's pages.

One workspace of 10,000 schedules, served by the simulator in this process
over real HTTP (pages of 1,000), is (the schedules kind alone)
  1. downloaded and decoded only (the floor: every page fetched with a fresh
     token and its JSON decoded, nothing else),
  2. synced into an empty cache (every row created), and
  3. synced again unchanged (nothing written),
the parser's caches cleared before each, in five interleaved rounds. Printed:
median times, the medians of the rounds' ratios to the floor (targets: a full
sync within 4x, an unchanged one within 2x), schedules per second, SQL
statements, and the peak memory of a full sync (tracemalloc, in separate
runs, since tracing slows everything; `--no-memory` skips it) at 10,000 and
40,000 schedules (target: within 1.5x). The last lines are the targets, one
`TARGET <name> <measured> <limit> met|missed` each.

Then a workspace of five connections whose lists overlap: 2,000 schedules
each, 6,000 distinct (each person's list a window of the workspace's, moved on
by 1,000 a person: the bench's own stand-in for whatever AAC lets each token
see). The same three measurements: the floor is the sum of the five lists, and
the SQL statements of the full and unchanged syncs.

Then the worker pool: 100 workspaces of 1,000 schedules synced one after the
other in this process (the sum of the single syncs), then all queued at once
to a real `celery worker` (prefork, concurrency 4) on Redis when
CELERY_BROKER_URL is set, else on the embedded filesystem broker.

SQLite always (a fresh var/bench/sync.sqlite3); PostgreSQL too when
DATABASE_URL is set (a database of its own, aacportal_bench, created and
dropped). Each database runs in a child process, since Django binds to one
database per process.

    .venv/bin/python bench/sync.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/sync.py
"""

import argparse
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR = ROOT / "var" / "bench"
# Several checkouts benchmarking on one server each name their own.
PG_NAME = os.environ.get("BENCH_PG_NAME", "aacportal_bench")
SCHEDULES = 10_000
MEMORY_SIZES = (10_000, 40_000)
# Five connections, each listing a window of LISTED schedules, moved on by
# STEP a connection: 6,000 distinct.
FIVE = 5
LISTED = 2_000
STEP = 1_000
REPEATS = 5
POOL_WORKSPACES = 100
POOL_SCHEDULES = 1_000
POOL_CONCURRENCY = 4
POOL_QUEUE = "bench-sync"
# A full sync within 4x, an unchanged one within 2x, the floor: downloading
# the same pages and decoding their JSON; memory flat: the peak at 40,000
# schedules within 1.5x the peak at 10,000.
TARGET_FULL = 4.0
TARGET_UNCHANGED = 2.0
TARGET_MEMORY = 1.5
# Off with --no-memory: tracing a sync of 40,000 schedules is slow.
MEMORY = True


# ---------------------------------------------------------------------------
# Databases (parent process)
# ---------------------------------------------------------------------------


def postgres_admin(base: str):
    import psycopg

    parts = urlsplit(base)
    return psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True
    )


def create_postgres(base: str, name: str = PG_NAME) -> str:
    with postgres_admin(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def drop_postgres(base: str, name: str = PG_NAME) -> None:
    with postgres_admin(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_sqlite(name: str = "sync") -> str:
    path = VAR / f"{name}.sqlite3"
    for leftover in VAR.glob(f"{name}.sqlite3*"):
        leftover.unlink()
    return f"sqlite:///{path}"


# ---------------------------------------------------------------------------
# Measurements (child process, one database)
# ---------------------------------------------------------------------------


def say(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def setup_django(sim_urls) -> None:
    os.environ["AAC_SIMULATOR_URL"] = sim_urls.api
    os.environ["AAC_SIMULATOR_GATEWAY_URL"] = sim_urls.gateway
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def clear_caches() -> None:
    """Every run pays for parsing in full: no expression, field, day or week
    is remembered."""
    from schedules import load
    from schedules.triggers import clock, cron, fields

    for module in (clock, cron, fields, load):
        for cached in vars(module).values():
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()
    gc.collect()


def register(sim, name: str, schedules: int, *, remote=None):
    """The portal's workspace for a new simulated one (or for `remote`)."""
    from workspaces.services import register_workspace
    from workspaces.tokens.lease import fresh_access_token

    remote = remote or sim.add_workspace(name=name, schedules=schedules)
    pair = sim.new_token_pair(remote.id)
    workspace = register_workspace(
        name=name,
        region="sim",
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
    )
    fresh_access_token(workspace.connections.get())
    return workspace


def register_five(sim):
    """A workspace whose five connections list overlapping windows of it."""
    from workspaces.enrolment import add_connection
    from workspaces.models import Connection
    from workspaces.services import register_workspace
    from workspaces.tokens.lease import fresh_access_token

    distinct = LISTED + (FIVE - 1) * STEP
    remote = sim.add_workspace(
        name="Bench five", schedules=distinct, people=12, list_scope="owner"
    )
    people = [p["id"] for p in remote.people if not p["isDisabled"]][:FIVE]
    ids = sorted(remote.schedules)
    windows = {
        person: ids[k * STEP : k * STEP + LISTED] for k, person in enumerate(people)
    }
    remote.visible_schedule_ids = lambda person_id, sort: windows[person_id]
    pairs = [sim.new_token_pair(remote.id, person_id=person) for person in people]
    workspace = register_workspace(
        name="Bench five",
        region="sim",
        access_token=pairs[0].access_token,
        refresh_token=pairs[0].refresh_token,
    )
    for pair in pairs[1:]:
        add_connection(
            Connection(workspace=workspace),
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
        )
    for connection in workspace.connections.all():
        fresh_access_token(connection)
    return workspace


def download(workspace) -> tuple[float, int]:
    """The floor: fetch every page of every connection's list with a fresh token
    and decode its JSON, nothing else."""
    from workspaces.clients import client_for
    from workspaces.tokens.lease import fresh_access_token

    started = time.perf_counter()
    pages = 0
    for connection in workspace.connections.all():
        client = client_for(workspace, fresh_access_token(connection))
        for _page in client.iter_schedule_pages():
            pages += 1
    return time.perf_counter() - started, pages


class Statements:
    """Counts SQL statements without storing them (CaptureQueriesContext would)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_sync(
    workspace, *, empty: bool, cold: bool = True, every_kind: bool = False
) -> dict:
    """A sync of the schedules alone, or of every kind as the task syncs."""
    from django.db import connection

    from schedules.models import Schedule, SyncRun
    from schedules.sync.catalog import KINDS
    from schedules.sync.engine import sync_workspace
    from schedules.sync.kinds import SCHEDULES

    if empty:
        Schedule.objects.filter(workspace=workspace).delete()
    if cold:
        clear_caches()
    run = SyncRun.objects.create(workspace=workspace, trigger="admin")
    statements = Statements()
    started = time.perf_counter()
    with connection.execute_wrapper(statements):
        run = sync_workspace(run, kinds=KINDS if every_kind else [SCHEDULES])
    elapsed = time.perf_counter() - started
    assert run.status == "succeeded", (run.error_kind, run.error_message)
    return {
        "seconds": elapsed,
        "statements": statements.count,
        "pages": run.pages_fetched,
        "schedule_pages": run.counts_of("schedules").pages,
        "created": run.counts_of("schedules").created,
        "unchanged": run.counts_of("schedules").unchanged,
    }


def peak_memory(fn) -> float:
    """Peak traced allocation of fn(), in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def traced_sync(workspace) -> float:
    """Peak memory of a full sync, in MiB, as in a worker that has run before.

    The simulator lives in this process and keeps every schedule it served
    encoded, and the parser keeps up to CACHE_SIZE expressions: a first
    download, before tracing, leaves only the sync's own allocations to count.
    """
    download(workspace)
    return peak_memory(lambda: timed_sync(workspace, empty=True, cold=False))


def single_workspace(sim) -> dict:
    big = register(sim, "Bench 10k", SCHEDULES)
    traced = {n: register(sim, f"Bench memory {n}", n) for n in MEMORY_SIZES}
    download(big)  # warm the connection and the imports
    # Interleaved, so a slow moment of a shared machine weighs on all three.
    floor, full, unchanged = [], [], []
    for n in range(REPEATS):
        say(f"round {n + 1} of {REPEATS}: download and parse, full sync, unchanged")
        floor.append(download(big)[0])
        full.append(timed_sync(big, empty=True))
        unchanged.append(timed_sync(big, empty=False))
    if MEMORY:
        say("peak memory (traced, slow)")
    return {
        "schedules": SCHEDULES,
        "pages": full[0]["pages"],
        "floor": statistics.median(floor),
        "full": statistics.median(r["seconds"] for r in full),
        "unchanged": statistics.median(r["seconds"] for r in unchanged),
        "ratio": statistics.median(
            r["seconds"] / f for r, f in zip(full, floor, strict=True)
        ),
        "unchanged_ratio": statistics.median(
            r["seconds"] / f for r, f in zip(unchanged, floor, strict=True)
        ),
        "full_statements": full[-1]["statements"],
        "unchanged_statements": unchanged[-1]["statements"],
        "memory": {n: traced_sync(w) for n, w in traced.items()} if MEMORY else {},
    }


def five_connections(sim) -> dict:
    from schedules.models import Schedule

    workspace = register_five(sim)
    download(workspace)  # warm
    floor, full, unchanged = [], [], []
    for n in range(REPEATS):
        say(f"five connections, round {n + 1} of {REPEATS}")
        floor.append(download(workspace)[0])
        full.append(timed_sync(workspace, empty=True))
        unchanged.append(timed_sync(workspace, empty=False))
    return {
        "connections": workspace.connections.count(),
        "listed": LISTED,
        "distinct": Schedule.objects.filter(workspace=workspace).count(),
        "pages": full[0]["schedule_pages"],
        "floor": statistics.median(floor),
        "full": statistics.median(r["seconds"] for r in full),
        "unchanged": statistics.median(r["seconds"] for r in unchanged),
        "ratio": statistics.median(
            r["seconds"] / f for r, f in zip(full, floor, strict=True)
        ),
        "created": full[-1]["created"],
        "full_statements": full[-1]["statements"],
        "unchanged_statements": unchanged[-1]["statements"],
    }


def purge(queue: str) -> None:
    """Drop messages an interrupted earlier run left: their run ids would name
    runs of this fresh database."""
    from aacportal.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)


def stop(worker: subprocess.Popen) -> None:
    """Warm shutdown; killed if it has not ended after 30 s (the numbers are in)."""
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def worker_pool(sim) -> dict:
    from health.models import WorkerHeartbeat
    from schedules import tasks
    from schedules.models import Flow, Plan, Run, RunHour, Schedule, SyncRun, Workflow

    started = time.perf_counter()
    workspaces = [
        register(sim, f"Pool {n:03d}", POOL_SCHEDULES) for n in range(POOL_WORKSPACES)
    ]
    prepared = time.perf_counter() - started
    say(f"{POOL_WORKSPACES} single syncs, one after the other")
    # Warm, like a worker process that has synced before.
    singles = [
        timed_sync(w, empty=True, cold=False, every_kind=True)["seconds"]
        for w in workspaces
    ]
    for model in (Schedule, SyncRun, Plan, Flow, Workflow, Run, RunHour):
        model.objects.all().delete()

    purge(POOL_QUEUE)
    hostname = f"bench-{os.getpid()}@bench"
    log = (VAR / "sync-worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "aacportal",
            "worker",
            "--pool=prefork",
            f"--concurrency={POOL_CONCURRENCY}",
            f"--hostname={hostname}",
            f"--queues={POOL_QUEUE}",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not WorkerHeartbeat.objects.filter(hostname=hostname).exists():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the worker did not start; see var/bench")
            time.sleep(0.2)
        say(f"{POOL_WORKSPACES} syncs queued to the pool")
        started = time.perf_counter()
        for workspace in workspaces:
            run = SyncRun.objects.create(workspace=workspace, trigger="admin")
            tasks.sync_workspace.apply_async(args=[run.pk], queue=POOL_QUEUE)
        open_runs = SyncRun.objects.filter(status__in=SyncRun.ACTIVE_STATES)
        while open_runs.exists():
            if time.perf_counter() - started > 900:
                raise RuntimeError("the pool did not finish in 15 minutes")
            time.sleep(0.1)
        wall = time.perf_counter() - started
    finally:
        stop(worker)
    runs = SyncRun.objects.all()
    succeeded = runs.filter(status="succeeded").count()
    durations = [(r.finished_at - r.started_at).total_seconds() for r in runs]
    return {
        "workspaces": POOL_WORKSPACES,
        "schedules": POOL_SCHEDULES,
        "prepared": prepared,
        "sum_single": sum(singles),
        "median_single": statistics.median(singles),
        "wall": wall,
        "succeeded": succeeded,
        "cached": Schedule.objects.count(),
        "median_in_pool": statistics.median(durations),
    }


def child(database: str, pool: bool) -> None:
    from aacsim import Simulator
    from aacsim.server import serve

    # No run history before the workspaces were added: the pool's syncs (every
    # kind, as the task runs them) cost their schedules, as before, plus the
    # assets and a few runs; bench/run_sync.py measures the run history.
    sim = Simulator(seed=11, history_days=0)
    with serve(sim) as urls:
        say(f"{database}: migrating")
        setup_django(urls)
        from django.conf import settings
        from django.db import connection

        results = {
            "database": database,
            "vendor": connection.vendor,
            "broker": settings.CELERY_BROKER_URL.split("://")[0],
            "single": single_workspace(sim),
            "five": five_connections(sim),
        }
        if pool:
            results["pool"] = worker_pool(sim)
    print(json.dumps(results))


# ---------------------------------------------------------------------------
# Report (parent process)
# ---------------------------------------------------------------------------


def measure(database: str, url: str, pool: bool) -> dict:
    from cryptography.fernet import Fernet

    # Production settings: DEBUG off (so Django keeps no log of every query).
    env = dict(
        os.environ,
        DATABASE_URL=url,
        AAC_VAR_DIR=str(VAR / database),
        DEBUG="false",
        SECRET_KEY=Fernet.generate_key().decode(),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    done = subprocess.run(
        [sys.executable, __file__, "--child", database]
        + ([] if pool else ["--no-pool"])
        + ([] if MEMORY else ["--no-memory"]),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"the {database} run failed (its output is above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results: dict) -> list[tuple[str, float, float]]:
    """Print the figures; the targets as (name, measured, limit), at most."""
    single = results["single"]
    ratio = single["ratio"]
    pages = single["pages"]
    memory = single["memory"]
    print(f"\n== {results['vendor']} (broker: {results['broker']}) ==")
    print(f"one workspace, {single['schedules']:,} schedules in {pages} pages")
    print(f"  download and decode only  {single['floor']:7.2f} s")
    print(
        f"  full sync (all created)   {single['full']:7.2f} s   "
        f"{single['schedules'] / single['full']:,.0f} schedules/s"
    )
    print(f"  ratio full / download     {ratio:7.2f}")
    print(
        f"  unchanged re-sync         {single['unchanged']:7.2f} s   "
        f"ratio {single['unchanged_ratio']:.2f}"
    )
    full, unchanged = single["full_statements"], single["unchanged_statements"]
    print(
        f"  SQL statements            {full} in the full sync, {unchanged} in the "
        "unchanged one (a page costs 1 upsert if it has changes, else none)"
    )
    peaks = ", ".join(f"{int(n):,}: {mib:.1f} MiB" for n, mib in memory.items())
    print(f"  peak memory of a full sync (tracemalloc)  {peaks}")
    five = results["five"]
    print(
        f"{five['connections']} connections x {five['listed']:,} schedules, "
        f"{five['distinct']:,} distinct, {five['pages']} pages of schedules"
    )
    print(f"  download and decode, every list {five['floor']:7.2f} s")
    print(
        f"  full sync (all created)         {five['full']:7.2f} s   "
        f"ratio {five['ratio']:.2f}, {five['created']:,} rows written"
    )
    print(f"  unchanged re-sync               {five['unchanged']:7.2f} s")
    print(
        f"  SQL statements                  {five['full_statements']} in the full "
        f"sync, {five['unchanged_statements']} in the unchanged one"
    )
    pool = results.get("pool")
    if pool:
        print(
            f"worker pool: {pool['workspaces']} workspaces x {pool['schedules']:,} "
            f"schedules, prefork concurrency {POOL_CONCURRENCY}"
        )
        print(
            f"  sum of single syncs       {pool['sum_single']:7.2f} s   "
            f"(median {pool['median_single']:.2f} s each)"
        )
        print(
            f"  pool wall time            {pool['wall']:7.2f} s   "
            f"speed-up {pool['sum_single'] / pool['wall']:.2f}x, "
            f"median run {pool['median_in_pool']:.2f} s"
        )
        print(
            f"  runs succeeded            {pool['succeeded']}/{pool['workspaces']}, "
            f"{pool['cached']:,} schedules cached"
        )
    prefix = "sync.pg" if results["vendor"] == "postgresql" else "sync.sqlite"
    targets = [
        (f"{prefix}.full_vs_floor", ratio, TARGET_FULL),
        (f"{prefix}.unchanged_vs_floor", single["unchanged_ratio"], TARGET_UNCHANGED),
    ]
    if memory:
        sizes = sorted(memory, key=int)
        small, large = int(sizes[0]) // 1000, int(sizes[-1]) // 1000
        growth = memory[sizes[-1]] / memory[sizes[0]]
        targets.append((f"{prefix}.memory_{large}k_vs_{small}k", growth, TARGET_MEMORY))
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS
    )
    parser.add_argument("--no-pool", action="store_true", help="skip the worker pool")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the traced peak memory"
    )
    args = parser.parse_args()
    global MEMORY  # one switch for this process and its child
    MEMORY = not args.no_memory
    if args.child:
        child(args.child, pool=not args.no_pool)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    load = [os.getloadavg()[0]]
    targets = report(measure("sqlite", fresh_sqlite(), pool=not args.no_pool))
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        try:
            targets += report(
                measure("postgres", create_postgres(base), not args.no_pool)
            )
        finally:
            drop_postgres(base)
    load.append(os.getloadavg()[0])
    print(f"\nload average (1 min) at start and end: {load[0]:.2f}, {load[1]:.2f}")
    met = True
    for name, measured, limit in targets:
        ok = measured <= limit
        met &= ok
        print(f"TARGET {name} {measured:.2f} {limit:g} {'met' if ok else 'missed'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
