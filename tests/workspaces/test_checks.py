import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Tags, run_checks

from tests.aac.tokens import make_jwt
from tests.factories import make_workspace
from workspaces.checks import (
    check_encryption_keys,
    check_stored_tokens_decrypt,
    check_time_budgets,
)
from workspaces.tokens.pasted import store_pasted_tokens

ROOT = Path(__file__).resolve().parents[2]


def ids(errors):
    return [error.id for error in errors]


def test_it_requires_a_key_outside_debug(settings, use_keys):
    use_keys()
    settings.DEBUG = False

    assert ids(check_encryption_keys()) == ["workspaces.E001"]


def test_it_lets_debug_run_without_a_key(settings, use_keys):
    use_keys()
    settings.DEBUG = True

    assert check_encryption_keys() == []


def test_it_names_the_malformed_key_by_position(use_keys, new_key):
    use_keys(new_key(), "short")

    errors = check_encryption_keys()

    assert ids(errors) == ["workspaces.E002"]
    assert "Key 2" in errors[0].msg
    assert "short" not in errors[0].msg


@pytest.mark.django_db
def test_it_fails_when_stored_tokens_do_not_decrypt(use_keys, new_key):
    connection = make_workspace("Wrong key", region="eu1").connections.get()
    store_pasted_tokens(
        connection,
        access_token=make_jwt({"exp": 4102444800}),
        refresh_token="rt-stored-before-the-key-changed",
    )
    assert check_stored_tokens_decrypt() == []
    use_keys(new_key())

    errors = run_checks(tags=[Tags.security])

    assert "workspaces.E003" in ids(errors)
    assert f"ids {connection.pk}" in next(
        e.msg for e in errors if e.id == "workspaces.E003"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_it_reports_stored_tokens_when_no_key_is_set(settings, use_keys, debug):
    connection = make_workspace("No key", region="eu1").connections.get()
    store_pasted_tokens(
        connection,
        access_token=make_jwt({"exp": 4102444800}),
        refresh_token="rt-stored-before-the-key-went",
    )
    make_workspace("No tokens", region="eu1", connection=False)
    use_keys()
    settings.DEBUG = debug

    errors = check_stored_tokens_decrypt()

    assert ids(errors) == ["workspaces.E003"]
    assert f"ids {connection.pk})" in errors[0].msg
    assert "FIELD_ENCRYPTION_KEYS is not set" in errors[0].msg


def test_it_skips_the_stored_token_check_before_migrate(tmp_path):
    env = {
        **os.environ,
        "AAC_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--tag", "security"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_accepts_the_default_budgets():
    assert check_time_budgets() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"AAC_READ_TIMEOUT": 100}, "workspaces.E004"),
        ({"CELERY_TASK_SOFT_TIME_LIMIT": 300}, "workspaces.E005"),
        ({"AAC_REFRESH_LEASE_SECONDS": 300}, "workspaces.E006"),
    ],
)
def test_it_fails_budgets_out_of_order(settings, overrides, expected):
    for name, value in overrides.items():
        setattr(settings, name, value)

    assert ids(check_time_budgets()) == [expected]
