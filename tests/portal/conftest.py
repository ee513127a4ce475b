"""The portal's small world: alice (superuser) sees everything, bob operates
"Acme EU", carol only views it, charlie has no membership; "Globex US" belongs
to nobody but alice."""

from types import SimpleNamespace

import pytest

from tests.factories import make_people, make_workspace


@pytest.fixture
def world(db):
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


@pytest.fixture
def broker_down(monkeypatch):
    """Point the Celery app at a closed port, as if Redis were down."""
    from aacportal.celery import app

    closed = "redis://127.0.0.1:1/0"
    saved = app.conf.broker_url, app.conf.broker_transport_options
    # Celery reads CELERY_BROKER_URL from the environment before its config.
    monkeypatch.setenv("CELERY_BROKER_URL", closed)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    app.conf.broker_url, app.conf.broker_transport_options = closed, {}
    app._pool = app.amqp._producer_pool = None  # connection pools made for the old URL
    yield
    app.conf.broker_url, app.conf.broker_transport_options = saved
    app._pool = app.amqp._producer_pool = None
