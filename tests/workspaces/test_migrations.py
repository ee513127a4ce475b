"""The migration that moves each workspace's token pair into its first connection,
run with real ciphertext on SQLite and on PostgreSQL (each in a process and a
database of its own; see `tests/workspaces/migrating.py`). Under CI the
PostgreSQL run fails, never skips, without a server."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet

from tests.availability import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
LOCAL_POSTGRES = "postgres://postgres:postgres@127.0.0.1:5432/postgres"


def migrate_for_real(database_url: str, var_dir: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AAC_VAR_DIR": str(var_dir),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.workspaces.migrating"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_no_token_lost(found: dict) -> None:
    pairs, after = found["pairs"], found["after"]
    connections = after["connections"]
    assert set(connections) == set(pairs)
    for pk, (access, refresh) in pairs.items():
        connection = connections[pk]
        assert connection["tokens"] == [access, refresh]
        assert connection["slot"] == 0
        assert connection["listed"]
        assert connection["person"]
    acme, globex, twin = sorted(pairs, key=int)
    assert connections[acme]["digest"] == found["digest_of"][pairs[acme][1]]
    assert connections[acme]["client_id"] == "client-0"
    assert connections[acme]["state"] == "ok"
    assert connections[globex]["state"] == "ok"
    # The twin shared Acme's AAC workspace and refresh token: kept, and told why.
    assert connections[twin]["digest"] == ""
    assert connections[twin]["state"] == "error"
    assert "counted twice" in connections[twin]["state_reason"]
    assert after["gids"] == {"Acme": "01ACME", "Globex": "01GLOBEX", "Twin of Acme": ""}
    assert after["seen_by"] == [1]
    # And back again: every workspace holds its pair as before.
    assert found["back"] == pairs


def test_the_migration_keeps_every_token_on_sqlite(tmp_path):
    found = migrate_for_real(f"sqlite:///{tmp_path / 'migrating.sqlite3'}", tmp_path)

    assert found["vendor"] == "sqlite"
    assert_no_token_lost(found)


@pytest.fixture
def postgres_database():
    """A scratch database on the suite's PostgreSQL server (or the local one)."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        server = os.environ.get("AAC_TEST_POSTGRES_URL", LOCAL_POSTGRES)
    base, _, _ = server.rpartition("/")
    name = f"aacportal_migrating_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        skip_or_fail(f"needs PostgreSQL ({exc})")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migration_keeps_every_token_on_postgresql(postgres_database, tmp_path):
    found = migrate_for_real(postgres_database, tmp_path)

    assert found["vendor"] == "postgresql"
    assert_no_token_lost(found)
