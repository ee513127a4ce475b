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
