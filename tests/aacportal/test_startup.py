"""Every entry point refuses to start outside DEBUG without encryption keys.

WSGI, ASGI, the worker, beat and management commands each check the
configuration before they serve or work, and say why they stop in one message,
without a traceback (docs/reliability.md rule 13).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from aacportal import embedded

ROOT = Path(__file__).resolve().parents[2]
MESSAGE = "FIELD_ENCRYPTION_KEYS is not set"

ENTRY_POINTS = {
    "wsgi": ["-c", "import aacportal.wsgi; print('served')"],
    "gunicorn": [
        "-m",
        "gunicorn",
        "aacportal.wsgi:application",
        "--bind=127.0.0.1:0",
        "--no-control-socket",
    ],
    "asgi": ["-c", "import aacportal.asgi; print('served')"],
    "worker": ["-m", "celery", "-A", "aacportal", "worker", "--pool=solo"],
    "beat": ["-m", "celery", "-A", "aacportal", "beat"],
    "manage.py shell": ["manage.py", "shell", "-c", "print('started')"],
    "manage.py migrate": ["manage.py", "migrate", "--no-input"],
    "manage.py check": ["manage.py", "check"],
}


def production_env(tmp_path: Path, **extra: str) -> dict:
    """DEBUG off, a secret key, a database and a broker of its own; no keys."""
    embedded.prepare(tmp_path)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("FIELD_ENCRYPTION_KEYS", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x7#k2!startup-secret-key-for-tests-only-9f8e7d6c5b4a3",
        AAC_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://localhost/",
    )
    return {**env, **extra}


def start(args: list[str], env: dict, timeout: float = 60) -> tuple[int | None, str]:
    """Run an entry point; its exit code (None if still running) and its output."""
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return None, output
    return process.returncode, output


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_it_refuses_to_start_without_keys_outside_debug(tmp_path, entry):
    code, output = start(ENTRY_POINTS[entry], production_env(tmp_path), timeout=30)

    assert code not in (None, 0), output
    assert output.count(MESSAGE) == 1, output
    assert "Traceback" not in output
    assert "served" not in output
    assert "started" not in output


def test_it_starts_with_a_key_outside_debug(tmp_path):
    env = production_env(tmp_path, FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode())

    code, output = start(ENTRY_POINTS["wsgi"], env)

    assert (code, output.strip().splitlines()[-1]) == (0, "served"), output


def test_it_starts_without_a_key_in_debug(tmp_path):
    env = production_env(tmp_path, DEBUG="true")
    embedded.key_file(tmp_path).unlink()

    code, output = start(ENTRY_POINTS["asgi"], env)

    assert (code, output.strip().splitlines()[-1]) == (0, "served"), output
