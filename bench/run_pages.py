"""Page latency of the runs, asset and schedule pages at 2,000,000 runs (PostgreSQL).

Fills a database of its own (aacportal_bench_run_pages) with 20 workspaces of
the simulator's 1,500 schedules each, their plans, flows and workflows, and
runs written straight into the table by `generate_series` (what the sync
would have written, without a simulator): first 1,000 runs a workspace
(20,000), then 100,000 a workspace (2,000,000), over 90 days either way, every
twentieth failed, some assets failing every time. The rollups (last runs,
streaks, hourly counts) are worked out by the sync's own functions. At both
sizes every page is timed through Django's test Client, logged in as a
superuser or as a member of half the workspaces: p50, p95 and SQL
statements, which must be the same at both sizes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/run_pages.py
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

from bench.pages import analyze, time_pages  # noqa: E402
from bench.sync import VAR, create_postgres, drop_postgres  # noqa: E402

PG_NAME = "aacportal_bench_run_pages"
WORKSPACES = 20
SCHEDULES = 1_500
SIZES = (1_000, 100_000)  # runs a workspace
DAYS = 90
TARGET_P95_MS = 100


def say(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Filling the database (child process)
# ---------------------------------------------------------------------------


def fill_workspaces() -> list:
    """Workspaces, people, schedules and assets as the sync would store them."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from aacsim import Simulator
    from aacsim.api.assets import asset_json
    from schedules.assets.parse import parse_flow, parse_plan, parse_workflow
    from schedules.models import Flow, Person, Plan, Schedule, Workflow
    from schedules.parse import parse_schedule
    from schedules.people import parse_person
    from workspaces.models import Connection, Membership, Workspace

    now = timezone.now()
    sim = Simulator(seed=3, history_days=0)
    workspaces = []
    for n in range(WORKSPACES):
        remote = sim.add_workspace(name=f"Workspace {n:02d}", schedules=SCHEDULES)
        workspace = Workspace.objects.create(name=remote.name, region="eu1")
        workspaces.append(workspace)
        Connection.objects.create(
            workspace=workspace, slot=0, state="ok", listed_at=now
        )
        store(Person, workspace, parse_person, remote.people, now=now)
        schedules = [json.loads(remote.encoded(i)) for i in remote.schedules]
        store(Schedule, workspace, parse_schedule, schedules, now=now)
        for kind, model, parse in (
            ("plan", Plan, parse_plan),
            ("flow", Flow, parse_flow),
            ("workflow", Workflow, parse_workflow),
        ):
            assets = remote.assets.by_kind[kind].values()
            store(
                model,
                workspace,
                parse,
                [asset_json(a, remote.id) for a in assets],
                now=now,
            )
    users = get_user_model().objects
    users.create_superuser("alice", "alice@example.com", "bench-password")
    bob = users.create_user("bob", "bob@example.com", "bench-password")
    Membership.objects.bulk_create(
        Membership(user=bob, workspace=workspace, role="operator")
        for workspace in workspaces[::2]
    )
    return workspaces


def store(model, workspace, parse, items, *, now) -> None:
    """Rows of `items` parsed by `parse`, as a sync through the workspace's one
    connection stores them."""
    rows = []
    for raw in items:
        parsed = parse(raw, now=now)
        fields = {"raw": raw} | parsed.fields
        rows.append(
            model(
                workspace=workspace,
                aac_id=parsed.aac_id,
                fingerprint=parsed.fingerprint,
                synced_at=now,
                seen_by=1,
                **fields,
            )
        )
    model.objects.bulk_create(rows, batch_size=1000)


# Every run of a workspace: the k-th is one of the workspace's scheduled
# targets (k modulo their number), created k * spacing before now; every
# twentieth fails, as does every run of each fiftieth target; the newest
# thirty are still running. Ids follow the simulator's pattern.
RUNS_SQL = """
WITH targets AS (
    SELECT row_number() OVER (ORDER BY aac_id) - 1 AS n, aac_id, task_kind,
           target_id, target_name, owner_id
    FROM schedules_schedule
    WHERE workspace_id = %(ws)s AND task_kind IN ('plan', 'flow', 'workflow')
      AND target_id <> ''
), counted AS (SELECT count(*) AS total FROM targets)
INSERT INTO schedules_run (
    workspace_id, aac_id, run_aac_id, asset_kind, asset_aac_id, asset_name,
    schedule_aac_id, status, ranfrom, run_by_aac_id, aac_created_at,
    aac_updated_at, started_at, finished_at, duration_seconds, error_message,
    note, raw, fingerprint, synced_at, seen_by, pending
)
SELECT %(ws)s, %(base)s::bigint + k, %(base)s::bigint + 500000000 + k, t.task_kind,
       t.target_id,
       t.target_name,
       CASE WHEN k %% 9 = 0 THEN NULL ELSE t.aac_id END,
       CASE WHEN k < 30 THEN 'InProgress'
            WHEN k %% 20 = 0 OR t.n %% 50 = 0 THEN 'Failed'
            WHEN k %% 97 = 0 THEN 'Canceled'
            ELSE 'Complete' END,
       CASE WHEN k %% 9 = 0 THEN (ARRAY['ui', 'api'])[1 + k %% 2] ELSE 'schedule' END,
       NULLIF(t.owner_id, '')::bigint,
       now() - k * %(spacing)s * interval '1 second',
       now() - k * %(spacing)s * interval '1 second' + interval '5 minutes',
       now() - k * %(spacing)s * interval '1 second' + interval '20 seconds',
       CASE WHEN k < 30 THEN NULL
            ELSE now() - k * %(spacing)s * interval '1 second' + interval '5 minutes'
       END,
       CASE WHEN k < 30 THEN NULL ELSE 280 END,
       CASE WHEN k >= 30 AND (k %% 20 = 0 OR t.n %% 50 = 0)
            THEN 'Connection to Snowflake timed out after 300 s' ELSE '' END,
       '', '{}'::jsonb, '', now(), 1, true
FROM generate_series(%(start)s, %(stop)s - 1) AS k
CROSS JOIN counted
JOIN targets t ON t.n = k %% counted.total
"""


def fill_runs(workspaces: list, per_workspace: int) -> None:
    """`per_workspace` runs a workspace over DAYS, then their rollups."""
    from django.db import connection
    from django.utils import timezone

    from schedules.assets.models import ASSET_MODELS, Run, RunHour
    from schedules.assets.rollups import count_hours, update_assets

    # Whatever the size, the runs span the same 90 days.
    spacing = DAYS * 86400 / per_workspace
    for index, workspace in enumerate(workspaces):
        Run.objects.filter(workspace=workspace).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                RUNS_SQL,
                {
                    "ws": workspace.pk,
                    "base": (index + 1) * 10**9,
                    "spacing": spacing,
                    "start": 0,
                    "stop": per_workspace,
                },
            )
        for model in ASSET_MODELS.values():
            update_assets(model.objects.filter(workspace=workspace))
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        hours = [now - timezone.timedelta(hours=h) for h in range(DAYS * 24 + 1)]
        RunHour.objects.filter(workspace=workspace).delete()
        for batch in range(0, len(hours), 500):
            count_hours(workspace, hours[batch : batch + 500])
        Run.objects.filter(workspace=workspace, pending=True).update(pending=False)
        say(f"{workspace.name}: {per_workspace:,} runs")
    analyze()


# ---------------------------------------------------------------------------
# Measuring (child process)
# ---------------------------------------------------------------------------


def pages_to_time() -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from schedules.assets.listing import cursor_of
    from schedules.models import Plan, Run, Schedule
    from workspaces.models import Workspace

    users = get_user_model().objects
    alice, bob = Client(), Client()
    alice.force_login(users.get(username="alice"))
    bob.force_login(users.get(username="bob"))
    some = Workspace.objects.order_by("name")[WORKSPACES // 2]
    plan = Plan.objects.filter(workspace=some).order_by("aac_id")[1]
    busiest = (
        Run.objects.filter(workspace=some, schedule_aac_id__isnull=False)
        .values("schedule_aac_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["schedule_aac_id"]
    )
    schedule = Schedule.objects.get(workspace=some, aac_id=busiest)
    deep = Run.objects.order_by("-aac_created_at", "-id")[5000]
    return {
        "runs, first page": (alice, "/runs/"),
        "runs, member of 10": (bob, "/runs/"),
        "runs, failed": (alice, "/runs/?status=Failed"),
        "runs, workspace + flows": (alice, f"/runs/?workspace={some.pk}&kind=flow"),
        "runs, started from the UI": (alice, "/runs/?ranfrom=ui"),
        "runs, a day 40 days ago": (
            alice,
            f"/runs/?start={_days_ago(40)}&end={_days_ago(39)}",
        ),
        "runs, 100 pages back": (alice, f"/runs/?after={cursor_of(deep)}"),
        "plans, failing first": (alice, "/plans/?sort=-streak"),
        "plans, member of 10": (bob, "/plans/"),
        "a plan's page": (alice, f"/workspaces/{some.pk}/plans/{plan.aac_id}/"),
        "a schedule's page": (
            alice,
            f"/workspaces/{some.pk}/schedules/{schedule.aac_id}/",
        ),
        "dashboard": (alice, "/"),
        "workspace page": (alice, f"/workspaces/{some.pk}/"),
    }


def _days_ago(days: int) -> str:
    from django.utils import timezone

    moment = timezone.now() - timezone.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT00:00")


def child(requests: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    say("workspaces, schedules and assets")
    workspaces = fill_workspaces()
    results = {}
    for size in SIZES:
        started = time.perf_counter()
        fill_runs(workspaces, size)
        filled = time.perf_counter() - started
        say(f"{size * WORKSPACES:,} runs in {filled:.0f} s; measuring")
        results[size * WORKSPACES] = {
            "filled": filled,
            "pages": time_pages(pages_to_time(), requests),
            "load": os.getloadavg(),
        }
    print(json.dumps(results))


# ---------------------------------------------------------------------------
# Report (parent process)
# ---------------------------------------------------------------------------


def report(results: dict) -> list[tuple[str, float, float]]:
    sizes = list(results)
    small, large = results[sizes[0]], results[sizes[-1]]
    print(f"\nPostgreSQL, {WORKSPACES} workspaces x {SCHEDULES:,} schedules")
    for size in sizes:
        load = ", ".join(f"{n:.2f}" for n in results[size]["load"])
        print(
            f"  {int(size):,} runs filled in {results[size]['filled']:.0f} s; "
            f"load average after measuring: {load}"
        )
    print(
        f"  {'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}"
        f" | at {int(sizes[0]):,}: {'p95 ms':>7} {'SQL':>4}"
    )
    targets = []
    for name, page in large["pages"].items():
        before = small["pages"][name]
        print(
            f"  {name:<28} {page['p50']:8.1f} {page['p95']:8.1f} "
            f"{page['statements']:5d} | {'':>{len(str(sizes[0])) + 6}}"
            f"{before['p95']:7.1f} {before['statements']:4d}"
        )
        key = "".join(c if c.isalnum() else " " for c in name.lower())
        key = "_".join(key.split())
        targets.append((f"runs_pages.{key}.p95_ms", page["p95"], TARGET_P95_MS))
        # The same statements at both sizes: the difference is 0.
        extra = abs(page["statements"] - before["statements"])
        targets.append((f"runs_pages.{key}.sql_growth", extra, 0))
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="timed per page")
    parser.add_argument(
        "--keep", action="store_true", help="leave the database, e.g. for EXPLAIN"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.requests)
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("run_pages.py measures PostgreSQL: set DATABASE_URL=postgres://...")
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
        if not args.keep:
            drop_postgres(base, PG_NAME)
    met = True
    for name, measured, limit in report(json.loads(done.stdout.splitlines()[-1])):
        ok = measured <= limit if name.endswith("growth") else measured < limit
        met &= ok
        print(f"TARGET {name} {measured:.1f} {limit:g} {'met' if ok else 'missed'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
