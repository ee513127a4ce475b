"""`python -m tests.workspaces.migrating`: the connections migration, run for real.

Run by `test_migrations.py` in a process of its own, on an empty database
named by DATABASE_URL (SQLite or PostgreSQL) with FIELD_ENCRYPTION_KEYS set:
migrates to just before connections existed, stores workspaces with token
pairs encrypted by the field itself (real ciphertext), migrates forward,
checks every token arrived in a connection, migrates back, checks again, and
prints what it found as JSON. A script, never imported by the suite: it sets
Django up first.
"""

import hashlib
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.models import TextField  # noqa: E402
from django.db.models.functions import Cast  # noqa: E402
from django.utils import timezone  # noqa: E402

from schedules.models import Schedule  # noqa: E402
from tests.aac.tokens import make_jwt  # noqa: E402
from workspaces.models import Connection, Workspace  # noqa: E402

BEFORE = [
    ("workspaces", "0001_initial"),
    ("schedules", "0005_syncrun_heartbeat_requested_by_counts"),
]
ISSUER = "https://pingauth-eu1.alteryxcloud.com/as"


def pair(n: int) -> tuple[str, str]:
    access = make_jwt({"iss": ISSUER, "sub": str(1000 + n), "exp": 4102444800})
    return access, f"rt-{n}-{'x' * 40}"


def migrate(*target) -> None:
    call_command("migrate", *target, verbosity=0, interactive=False)


def old_apps():
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(BEFORE).apps


def store_old_world() -> dict:
    apps = old_apps()
    Workspace = apps.get_model("workspaces", "Workspace")
    Schedule = apps.get_model("schedules", "Schedule")
    SyncRun = apps.get_model("schedules", "SyncRun")
    now = timezone.now()
    pairs = {}
    for n, name in enumerate(("Acme", "Globex", "Twin of Acme")):
        access, refresh = pair(n) if n < 2 else pair(0)  # the twin shares Acme's pair
        workspace = Workspace.objects.create(
            name=name,
            region="eu1",
            aac_gid="01ACME" if n != 1 else "01GLOBEX",
            client_id=f"client-{n}",
            access_token=access,
            refresh_token=refresh,
            access_token_expires_at=now,
            refresh_token_issued_at=now,
            refresh_token_lifetime_days=90,
            state="ok",
        )
        pairs[workspace.pk] = [access, refresh]
        for i in range(3):
            Schedule.objects.create(
                workspace=workspace, aac_id=i + 1, name=f"s{i}", raw={}, synced_at=now
            )
        SyncRun.objects.create(
            workspace=workspace, trigger="beat", status="succeeded", finished_at=now
        )
    raw = Workspace.objects.values_list(Cast("refresh_token", TextField()), flat=True)
    assert not any(token.startswith("rt-") for token in raw), "stored in the clear"
    return pairs


def connections_now() -> dict:
    return {
        "connections": {
            str(c.workspace_id): {
                "tokens": list(
                    Connection.objects.values_list("access_token", "refresh_token").get(
                        pk=c.pk
                    )
                ),
                "slot": c.slot,
                "client_id": c.client_id,
                "person": c.aac_person_id,
                "digest": c.refresh_token_digest,
                "state": c.state,
                "state_reason": c.state_reason,
                "listed": c.listed_at is not None,
            }
            for c in Connection.objects.all()
        },
        "gids": dict(Workspace.objects.values_list("name", "aac_gid")),
        "seen_by": sorted(set(Schedule.objects.values_list("seen_by", flat=True))),
    }


def tokens_back() -> dict:
    Workspace = old_apps().get_model("workspaces", "Workspace")
    return {
        str(pk): [access, refresh]
        for pk, access, refresh in Workspace.objects.values_list(
            "pk", "access_token", "refresh_token"
        )
    }


def main() -> None:
    migrate("schedules", BEFORE[1][1])
    pairs = store_old_world()
    migrate()
    after = connections_now()
    migrate("schedules", BEFORE[1][1])
    migrate("workspaces", BEFORE[0][1])
    back = tokens_back()
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "pairs": {str(pk): tokens for pk, tokens in pairs.items()},
                "after": after,
                "back": back,
                "digest_of": {
                    tokens[1]: hashlib.sha256(tokens[1].encode()).hexdigest()
                    for tokens in pairs.values()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
