"""The API's schedule list at 1,000,000 schedules (PostgreSQL): p95 of a page of 100.

Fills a database of its own (aacportal_bench_api) with bench/pages.py's data
for PostgreSQL: 1,000 workspaces x 1,000 schedules (one simulated workspace,
parsed as a sync stores it, copied in SQL), 1,000,000 schedules, with their
runs; alice a superuser, bob an operator of 50 workspaces. Each request goes
through Django's test Client with an API token, as a script would send it
(authentication, the rate limit, the last-use note included):
p50, p95 and SQL statements for the first page, a member's first page, a
filtered page, a sorted page, a page 10,000 rows in by cursor, and a search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/api.py

Ends with `TARGET api.schedules.p95_ms <worst p95> 100 met|missed`, the worst
p95 of the pages of 100 other than the search (measured for information,
outside the target, as bench/pages.py does).
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

from bench.pages import PER_WORKSPACE, WORKSPACES, fill, time_pages  # noqa: E402
from bench.sync import VAR, create_postgres, drop_postgres  # noqa: E402

PG_NAME = "aacportal_bench_api"
SIZE = WORKSPACES["postgresql"] * PER_WORKSPACE
PAGE = 100
TARGET_P95_MS = 100
SEARCHED = "searched (no target)"


def say(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pages_to_time() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from api.tokens import create_token
    from workspaces.models import Workspace

    users = get_user_model().objects
    alice, bob = (
        Client(
            headers={
                "Authorization": "Bearer "
                + create_token(user=users.get(username=name), name="bench")[1]
            }
        )
        for name in ("alice", "bob")
    )
    some = Workspace.objects.order_by("name")[WORKSPACES["postgresql"] // 2]
    url = f"/api/v1/schedules/?limit={PAGE}"
    return {
        "first page": (alice, url),
        "first page, member of 50": (bob, url),
        "filtered": (alice, f"{url}&workspace={some.pk}&task=plan&enabled=yes"),
        "sorted by next run, latest": (alice, f"{url}&sort=-next"),
        "10,000 rows in, by cursor": (alice, deep_page(alice, url, rows=10_000)),
        SEARCHED: (alice, f"{url}&q=sales"),
    }


def deep_page(client, url: str, *, rows: int) -> str:
    """The URL of the page `rows` rows into the list, by following cursors."""
    page = client.get(url.replace(f"limit={PAGE}", "limit=500")).json()
    for _ in range(rows // 500 - 1):
        page = client.get(page["next"]).json()
    return f"{url}&cursor={page['next_cursor']}"


def child(requests: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from schedules.models import Schedule

    say(f"{SIZE:,} schedules (bench/pages.py's builder)")
    fill(WORKSPACES["postgresql"], refill=True)
    total = Schedule.objects.count()
    results = time_pages(pages_to_time(), requests)
    print(json.dumps({"schedules": total, "pages": results, "load": os.getloadavg()}))


def report(result: dict) -> None:
    print(f"\nPostgreSQL, {result['schedules']:,} schedules, pages of {PAGE}")
    print(f"  load average after measuring: {result['load']}")
    print(f"  {'GET /api/v1/schedules/':<30} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
    for name, page in result["pages"].items():
        print(
            f"  {name:<30} {page['p50']:8.1f} {page['p95']:8.1f} "
            f"{page['statements']:5d}"
        )
    worst = max(
        page["p95"] for name, page in result["pages"].items() if name != SEARCHED
    )
    verdict = "met" if worst < TARGET_P95_MS else "missed"
    print(f"TARGET api.schedules.p95_ms {worst:.1f} {TARGET_P95_MS} {verdict}")


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
        sys.exit("api.py measures PostgreSQL: set DATABASE_URL=postgres://...")
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
        # The benchmark's own pace, not a script's.
        AAC_API_RATE="1000000/min",
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
    report(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
