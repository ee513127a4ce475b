"""Run-history sync benchmark: an incremental sync costs what is new, not the history.

A workspace of 5,000 schedules with a week of run history (the simulator:
about 200,000 runs), served in this process over real HTTP (pages of 100, the
client's size for every list but the schedules), is synced until it has
caught up (the first syncs read the history, at most MAX_ITEMS runs each:
printed for information). Then, in three rounds each, a quarter of an
hour passes (beat's pace: that quarter's scheduled runs come too), `add_runs`
starts 500, 2,000 and 5,000 runs at once, and a sync of the run history is
timed: its
pages, runs seen, created and updated, seconds, SQL statements (and, for the
500, a sync of every kind, as beat runs it: the 5,000 schedules and their
assets unchanged). A
second workspace with the same schedules (so the same runs an hour and the
same runs in flight) and half the history, 3.5 days, takes the 500 too: its
figures should match the first one's, since a sync reads what is new since
its watermark (less the overlap) and what it stored unfinished, never the
history.

SQLite always (a fresh var/bench/run_sync.sqlite3); PostgreSQL too when
DATABASE_URL is set (a database of its own, aacportal_bench_runs, created and
dropped). Production settings; each database in a child process.

    .venv/bin/python bench/run_sync.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/run_sync.py
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

import time_machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync import (  # noqa: E402 (the path above first)
    VAR,
    Statements,
    create_postgres,
    drop_postgres,
    fresh_sqlite,
    register,
    say,
    setup_django,
)

PG_NAME = "aacportal_bench_runs"
SCHEDULES = 5_000
HISTORY_DAYS = 7
NEW_RUNS = (500, 2_000, 5_000)
ROUNDS = 3
BEAT = timedelta(minutes=15)


def timed_sync(workspace, *, runs_only: bool = True) -> dict:
    """A sync of the run history alone, or of every kind as the task syncs."""
    from django.db import connection

    from schedules.assets.kinds import RUNS
    from schedules.models import SyncRun
    from schedules.sync.catalog import KINDS
    from schedules.sync.engine import sync_workspace

    run = SyncRun.objects.create(workspace=workspace, trigger="admin")
    statements = Statements()
    started = time.perf_counter()
    with connection.execute_wrapper(statements):
        run = sync_workspace(run, kinds=[RUNS] if runs_only else KINDS)
    elapsed = time.perf_counter() - started
    assert run.status == "succeeded", (run.error_kind, run.error_message)
    runs = run.counts_of("runs")
    return {
        "seconds": elapsed,
        "statements": statements.count,
        "pages": runs.pages,
        "seen": runs.seen,
        "created": runs.created,
        "updated": runs.updated,
    }


def catch_up(workspace) -> dict:
    """Sync until a sync reads fewer than MAX_ITEMS runs (it has caught up)."""
    from schedules.models import Run
    from schedules.sync.incremental import MAX_ITEMS

    started, syncs, seen = time.perf_counter(), 0, MAX_ITEMS
    while seen >= MAX_ITEMS:
        seen = timed_sync(workspace, runs_only=False)["seen"]
        syncs += 1
    return {
        "seconds": time.perf_counter() - started,
        "syncs": syncs,
        "runs": Run.objects.filter(workspace=workspace).count(),
    }


def rounds(clock, sim, remote, workspace, new: int, *, runs_only: bool = True) -> dict:
    """Beat's pace: each round a quarter of an hour later (the scheduled runs
    of that quarter come too), `new` runs started at once, then a sync; after
    a first sync that brings the cache up to the clock."""
    timed_sync(workspace, runs_only=runs_only)
    results = []
    for _ in range(ROUNDS):
        clock.shift(BEAT)
        sim.add_runs(remote.id, new)
        results.append(timed_sync(workspace, runs_only=runs_only))
    return {
        key: statistics.median(r[key] for r in results)
        for key in ("seconds", "statements", "pages", "seen", "created", "updated")
    }


def child(database: str) -> None:
    from aacsim import Simulator
    from aacsim.server import serve

    sim = Simulator(seed=11, history_days=HISTORY_DAYS)
    # Time runs on, moved a quarter of an hour at each round, for the portal
    # and the simulator alike.
    with serve(sim) as urls, time_machine.travel(time.time(), tick=True) as clock:
        say(f"{database}: migrating")
        setup_django(urls)
        from django.db import connection

        workspaces = {}
        for name, days in (("week", HISTORY_DAYS), ("half", HISTORY_DAYS / 2)):
            remote = sim.add_workspace(
                name=name, schedules=SCHEDULES, history_days=days
            )
            say(f"{name}: {sim.run_count(remote.id):,} runs of history")
            workspace = register(sim, name, SCHEDULES, remote=remote)
            say(f"{name}: first syncs")
            workspaces[name] = (remote, workspace, catch_up(workspace))
        results = {"database": database, "vendor": connection.vendor}
        remote, workspace, first = workspaces["week"]
        results["first"] = first
        # Every kind right after the 500 alone, before the larger rounds'
        # runs are in flight.
        say(f"week: 500 new runs, {ROUNDS} rounds, the runs, then every kind")
        results["week+500"] = rounds(clock, sim, remote, workspace, 500)
        results["week+500, every kind"] = rounds(
            clock, sim, remote, workspace, 500, runs_only=False
        )
        for new in NEW_RUNS[1:]:
            say(f"week: {new} new runs, {ROUNDS} rounds")
            results[f"week+{new}"] = rounds(clock, sim, remote, workspace, new)
        remote, workspace, first = workspaces["half"]
        results["half_first"] = first
        say(f"half: 500 new runs, {ROUNDS} rounds")
        results["half+500"] = rounds(clock, sim, remote, workspace, 500)
    print(json.dumps(results))


def measure(database: str, url: str) -> dict:
    from cryptography.fernet import Fernet

    env = dict(
        os.environ,
        DATABASE_URL=url,
        AAC_VAR_DIR=str(VAR / database),
        DEBUG="false",
        SECRET_KEY=Fernet.generate_key().decode(),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    done = subprocess.run(
        [sys.executable, __file__, "--child", database],
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
    print(f"\n== {results['vendor']}: load average {load_average()} ==")
    for name in ("first", "half_first"):
        first = results[name]
        which = "week" if name == "first" else "half"
        print(
            f"  {which}: first syncs: {first['runs']:,} runs in {first['syncs']} "
            f"syncs, {first['seconds']:.1f} s"
        )
    print(
        f"  {'workspace + new runs':<24} {'pages':>6} {'seen':>7} {'created':>8} "
        f"{'updated':>8} {'seconds':>8} {'SQL':>5}"
    )
    for key in [f"week+{n}" for n in NEW_RUNS] + ["half+500", "week+500, every kind"]:
        row = results[key]
        print(
            f"  {key:<24} {row['pages']:6.0f} {row['seen']:7,.0f} "
            f"{row['created']:8,.0f} {row['updated']:8,.0f} {row['seconds']:8.2f} "
            f"{row['statements']:5.0f}"
        )
    week, half = results["week+500"], results["half+500"]
    sys.stdout.flush()
    # The pages an incremental sync reads do not grow with the history: twice
    # the history, at most a tenth more pages.
    prefix = "runs.pg" if results["vendor"] == "postgresql" else "runs.sqlite"
    return [(f"{prefix}.pages_week_vs_half_week", week["pages"] / half["pages"], 1.1)]


def load_average() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    targets = report(measure("sqlite", fresh_sqlite("run_sync")))
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        try:
            targets += report(measure("postgres", create_postgres(base, PG_NAME)))
        finally:
            drop_postgres(base, PG_NAME)
    met = True
    for name, measured, limit in targets:
        met &= measured <= limit
        verdict = "met" if measured <= limit else "missed"
        print(f"TARGET {name} {measured:.2f} {limit:g} {verdict}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
