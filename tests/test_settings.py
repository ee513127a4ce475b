"""Settings load with no environment at all, and switch to production by environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from aacportal import embedded

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#k2!production-secret-key-for-tests-only-9f8e7d6c5b4a3",
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal:secret@127.0.0.1:1/aacportal",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}

PROBE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "secure_cookies": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "keys": len(settings.FIELD_ENCRYPTION_KEYS),
    "regions": sorted(settings.AAC_REGIONS),
    "sqlite_options": settings.DATABASES["default"].get("OPTIONS", {}),
}))
"""


def run(args, env, tmp_path):
    """Run a Python process with exactly this environment (plus PATH)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "aacportal.settings",
            "AAC_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def load(env, tmp_path) -> dict:
    result = run(["-c", PROBE], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_runs_on_embedded_defaults_with_no_environment(tmp_path):
    loaded = load({}, tmp_path)
    assert loaded["debug"] is True
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["sqlite_options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in loaded["sqlite_options"]["init_command"]
    assert loaded["broker"] == "filesystem://localhost/"
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["regions"] == ["au1", "eu1", "us1"]


def test_loading_the_settings_creates_and_writes_nothing(tmp_path):
    var = tmp_path / "var"
    loaded = load({}, var)
    assert loaded["keys"] == 0
    assert not var.exists()


def test_they_read_the_key_the_embedded_mode_prepared(tmp_path):
    embedded.prepare(tmp_path)
    key = embedded.read_key(tmp_path)
    assert load({}, tmp_path)["keys"] == 1
    assert load({}, tmp_path)["keys"] == 1
    assert embedded.read_key(tmp_path) == key
    assert sorted(p.name for p in (tmp_path / "broker").iterdir()) == [
        "control",
        "processed",
    ]


def test_it_switches_to_production_by_environment_only(tmp_path):
    loaded = load(PRODUCTION, tmp_path)
    assert loaded["debug"] is False
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["broker"] == "redis://127.0.0.1:1/0"
    assert loaded["ssl_redirect"] is True
    assert loaded["hsts"] >= 31536000
    assert loaded["secure_cookies"] is True
    assert not (tmp_path / "field-encryption.key").exists()


def test_the_simulator_region_is_added_by_environment(tmp_path):
    loaded = load({"AAC_SIMULATOR_URL": "http://127.0.0.1:8800/"}, tmp_path)
    assert loaded["regions"] == ["au1", "eu1", "sim", "us1"]


def test_it_refuses_to_start_without_a_secret_key_in_production(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run(["-c", PROBE], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_check_deploy_passes_with_production_environment(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_fails_in_production_without_encryption_keys(tmp_path):
    env = {**PRODUCTION, "FIELD_ENCRYPTION_KEYS": ""}
    result = run(["manage.py", "check", "--deploy"], env, tmp_path)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
