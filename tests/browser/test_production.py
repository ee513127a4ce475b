"""The portal started as the README's "Production" says, and used through a browser.

`migrate` and `collectstatic`, the web application under gunicorn with
DEBUG=false, a worker and exactly one beat, on PostgreSQL and Redis (skipped on
a laptop without them, never under CI): a person logs in through gunicorn,
presses "Re-sync now" and sees the sync succeed. The processes use a queue of
their own, so no other test worker does their work.
"""

import subprocess
import sys
import urllib.request

import pytest
from cryptography.fernet import Fernet
from django.conf import global_settings, settings
from django.db import connection
from playwright.sync_api import expect

from tests.availability import require_postgres, require_redis_broker
from tests.browser.conftest import log_in, watched_page
from tests.factories import make_user
from tests.workers import (
    ROOT,
    BeatProcess,
    GunicornProcess,
    WorkerProcess,
    database_url,
    environment,
    start_together,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.redis,
]

SYNC_TIMEOUT = 60_000  # ms


@pytest.fixture(scope="module")
def production_env(_simulator, django_db_setup, tmp_path_factory):
    require_postgres(connection.vendor)
    require_redis_broker(settings.CELERY_BROKER_URL)
    folder = tmp_path_factory.mktemp("production")
    return {
        "DEBUG": "false",
        "SECRET_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        # No TLS in front of it here; behind a proxy, SECURE_PROXY_SSL_HEADER.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": f"production-{folder.name}",
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "STATIC_ROOT": str(folder / "static"),
        "AAC_SIMULATOR_URL": _simulator.urls.api,
        "AAC_SIMULATOR_GATEWAY_URL": _simulator.urls.gateway,
    }


def manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def portal(production_env, django_db_blocker):
    """The README's production start: migrate, collectstatic, web, worker, beat.

    Once for the module's tests, which each start from an emptied database
    (`transactional_db`); the processes boot side by side, as a deployment's do.
    """
    manage(production_env, "migrate", "--no-input")
    manage(production_env, "collectstatic", "--no-input")
    processes = [
        GunicornProcess(name="gunicorn", env=production_env),
        WorkerProcess(name="production-worker", env=production_env),
        BeatProcess(name="production-beat", env=production_env),
    ]
    try:
        with django_db_blocker.unblock():  # readiness reads the worker's heartbeat
            start_together(processes)
        yield processes[0]
    finally:
        for process in processes:
            process.stop()


@pytest.fixture
def production_page(browser, portal, watcher):
    with watched_page(browser, watcher, portal.url) as page:
        yield page


def test_a_person_resyncs_a_workspace_through_gunicorn(
    transactional_db, production_page, portal, make_sim_workspace, settings
):
    # Hashed as production checks it (the suite's MD5 is not among its hashers).
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    make_user("alice", superuser=True)
    _, workspace = make_sim_workspace("Production EU", schedules=30)
    page = production_page

    log_in(page, "alice")
    page.goto(workspace.get_absolute_url())
    status = page.locator(f"#sync-status-{workspace.pk}")
    page.click("#resync")

    expect(page.locator("#sync-message")).to_contain_text("queued")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=SYNC_TIMEOUT)
    expect(status).to_contain_text("30 schedules")
    expect(page.locator("#table-summary")).to_contain_text("30 schedules")


def test_static_files_are_served_to_be_cached_and_pages_not(transactional_db, portal):
    with urllib.request.urlopen(f"{portal.url}/accounts/login/") as answer:
        page = answer.read().decode()
        assert "no-store" in answer.headers["Cache-Control"]
    script = page.split('src="', 2)[1].split('"', 1)[0]
    assert script.startswith("/static/")

    with urllib.request.urlopen(f"{portal.url}{script}") as answer:
        assert answer.status == 200
        assert "immutable" in answer.headers["Cache-Control"]
