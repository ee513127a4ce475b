"""The embedded mode's folder: its database, key and broker readable by no one else."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from aacportal import embedded

ROOT = Path(__file__).resolve().parents[2]


def others_may_read(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def test_it_makes_the_folder_and_what_it_holds_private(tmp_path):
    var = tmp_path / "var"

    embedded.prepare(var)

    made = [var, *var.rglob("*")]
    assert {path.name for path in made} >= {
        "var", "broker", "processed", "control", "field-encryption.key", "db.sqlite3"
    }  # fmt: skip
    assert [path for path in made if others_may_read(path)] == []


def test_it_closes_a_folder_made_open_before(tmp_path):
    var = tmp_path / "var"
    (var / "broker").mkdir(parents=True)
    database = embedded.database_file(var)
    database.touch()
    for path in (var, var / "broker"):
        path.chmod(0o755)
    database.chmod(0o644)

    embedded.prepare(var)

    assert [
        path for path in (var, var / "broker", database) if others_may_read(path)
    ] == []


# Writes through Django with the journal open, and lists the database's files.
WRITE_AND_LIST = """
import json, stat
from pathlib import Path
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    folder = Path(connection.settings_dict["NAME"]).parent
    print(json.dumps({
        p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.glob("db.sqlite3*")
    }))
"""


def test_the_database_and_its_journal_stay_private_once_used(tmp_path):
    var = tmp_path / "var"
    embedded.prepare(var)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", WRITE_AND_LIST],
        cwd=ROOT,
        env={**env, "AAC_VAR_DIR": str(var)},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # as a login shell would start it
    )

    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(modes) == {"db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"}
    assert {name: oct(mode) for name, mode in modes.items() if mode & 0o077} == {}
