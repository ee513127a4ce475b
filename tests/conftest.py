"""Shared fixtures: the AAC simulator over real HTTP, a real Celery worker.

The simulator runs once per session in this process (a threaded HTTP server),
so the worker process and the live server reach the same simulated AAC; each
test gets it with faults cleared and its region configured in settings.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.db import connection as default_database

from aacportal import embedded
from aacportal.celery import app
from aacsim import Simulator
from aacsim.server import serve
from tests.availability import IN_CI, require_postgres, skip_or_fail
from tests.factories import make_people, make_workspace
from tests.workers import WorkerProcess
from workspaces.enrolment import add_connection
from workspaces.models import Connection
from workspaces.services import register_workspace


def pytest_configure(config):
    """The suite's var folder, broker folders and key, made on purpose like the demo's.

    The settings make nothing and read the key file only if it was there when
    they loaded; on the very first run the key made here is handed to them (and,
    through the environment, to the worker processes the tests start).
    """
    var = Path(django_settings.VAR_DIR)
    embedded.prepare(var)
    if not django_settings.FIELD_ENCRYPTION_KEYS:
        django_settings.FIELD_ENCRYPTION_KEYS = [embedded.read_key(var)]


def pytest_runtest_setup(item):
    """A test marked `postgres` means something only on PostgreSQL (row locks,
    transactions racing, the vendor's upsert): on SQLite it would pass without
    testing anything, so it skips on a laptop and fails under CI."""
    if item.get_closest_marker("postgres"):
        require_postgres(default_database.vendor)


def pytest_report_header():
    return [
        f"database: {django_settings.DATABASES['default']['ENGINE']}",
        f"broker: {django_settings.CELERY_BROKER_URL.split('://')[0]}",
        f"CI: {IN_CI}",
    ]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2's million rounds cost half a second per user; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _simulator():
    sim = Simulator(seed=7)
    with serve(sim) as urls:
        yield SimpleNamespace(sim=sim, urls=urls)


def sim_region(urls) -> dict:
    return {
        "label": "AAC simulator",
        "api_url": urls.api,
        "gateway_url": urls.gateway,
        "issuer": urls.issuer,
        "token_url": f"{urls.issuer}/token",
    }


@pytest.fixture
def aac_sim(_simulator, settings):
    """The simulator, reachable from this process, the live server and workers."""
    settings.AAC_REGIONS = {**settings.AAC_REGIONS, "sim": sim_region(_simulator.urls)}
    yield _simulator
    _simulator.sim.faults.clear()


@pytest.fixture
def sim_stats(aac_sim):
    """Counters of the simulator for one of its workspaces."""

    class Counts:
        def refreshes(self, remote) -> int:
            return aac_sim.sim.stats.refreshes[remote.id]

        def requests(self, remote, endpoint: str) -> int:
            return aac_sim.sim.stats.requests[(remote.id, endpoint)]

        def total(self) -> int:
            return sum(aac_sim.sim.stats.requests.values())

    return Counts()


@pytest.fixture
def make_sim_workspace(aac_sim):
    """Add a workspace to the simulator and register it in the portal.

    Registration goes through `workspaces.services.register_workspace`, the
    path the admin's form uses, with a freshly generated token pair.
    `history_days` shortens the run history where a test is about the
    schedules of many: a week of runs of 600 schedules is 25,000 runs to sync.
    """

    def make(
        name="Simulated",
        *,
        schedules=25,
        people=20,
        list_scope=None,
        history_days=None,
        **options,
    ):
        remote = aac_sim.sim.add_workspace(
            name=name,
            schedules=schedules,
            people=people,
            list_scope=list_scope,
            history_days=history_days,
        )
        pair = aac_sim.sim.new_token_pair(remote.id)
        workspace = register_workspace(
            name=name,
            region="sim",
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            **options,
        )
        return remote, workspace

    return make


@pytest.fixture
def make_sim_connection(make_sim_workspace):
    """Like `make_sim_workspace`, but hands back the workspace's one connection."""

    def make(name="Simulated", **options):
        remote, workspace = make_sim_workspace(name, **options)
        return remote, workspace.connections.select_related("workspace").get()

    return make


@pytest.fixture
def connect_person(aac_sim):
    """Connect another person of a simulated workspace: their own fresh pair,
    added as a connection like the admin's or "Connect my AAC account" does."""

    def connect(remote, workspace, person_id, *, added_by=None):
        pair = aac_sim.sim.new_token_pair(remote.id, person_id=person_id)
        return add_connection(
            Connection(workspace=workspace, added_by=added_by),
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
        )

    return connect


@pytest.fixture(scope="session")
def celery_worker(_simulator, django_db_setup, django_db_blocker):
    """A real worker process on the test database and the configured broker.

    Locally that is the embedded filesystem broker; under CI, Redis. Tests
    using it must commit their data (`transactional_db` or `live_server`).
    """
    urls = _simulator.urls
    worker = WorkerProcess(
        name="testworker",
        env={
            "AAC_SIMULATOR_URL": urls.api,
            "AAC_SIMULATOR_GATEWAY_URL": urls.gateway,
        },
    )
    with django_db_blocker.unblock():
        _purge_broker()
        try:
            worker.start()
        except RuntimeError as exc:
            worker.stop()
            skip_or_fail(f"cannot start a Celery worker: {exc}\n{worker.log()}")
        yield worker
    worker.stop()


def _purge_broker():
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


def point_app_at(monkeypatch, url: str, transport_options: dict) -> None:
    """Point this process's Celery app at another broker for one test.

    Celery reads CELERY_BROKER_URL from the environment before its own
    configuration and caches connection and producer pools, so all change.
    """
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setitem(app.conf, "broker_url", url)
    monkeypatch.setitem(app.conf, "broker_write_url", url)
    monkeypatch.setitem(app.conf, "broker_transport_options", transport_options)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


@pytest.fixture
def broker_down(monkeypatch):
    """Point the Celery app at a closed port, as if the broker had gone away."""
    closed = "redis://127.0.0.1:1/0"
    point_app_at(monkeypatch, closed, {})
    yield closed
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def embedded_broker(monkeypatch, tmp_path):
    """A filesystem broker of this test's own, whatever the suite's broker is.

    Yields the environment a worker needs to use it too.
    """
    var = tmp_path / "var"
    embedded.prepare(var)
    url = "filesystem://localhost/"
    point_app_at(monkeypatch, url, embedded.broker_transport_options(var))
    yield {"CELERY_BROKER_URL": url, "AAC_VAR_DIR": str(var)}
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def world(db):
    """The portal's small world: alice (superuser) sees everything, bob operates
    "Acme EU", carol only views it, charlie has no membership; "Globex US"
    belongs to nobody but alice."""
    acme = make_workspace("Acme EU")
    globex = make_workspace("Globex US", region="us1")
    return SimpleNamespace(acme=acme, globex=globex, **make_people(acme))


@pytest.fixture
def login(client):
    """Log a user of the world in and return the client."""

    def login_as(user):
        client.force_login(user)
        return client

    return login_as
