"""The portal's small world: alice (superuser) sees everything, bob operates
"Acme EU", carol only views it, charlie has no membership; "Globex US" belongs
to nobody but alice."""

from types import SimpleNamespace

import pytest

from tests.factories import add_member, make_user, make_workspace
from workspaces.models import Membership


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2's million rounds cost half a second per user; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    acme = make_workspace("Acme EU")
    globex = make_workspace("Globex US", region="us1")
    bob, carol = make_user("bob"), make_user("carol")
    add_member(bob, acme, Membership.Role.OPERATOR)
    add_member(carol, acme, Membership.Role.VIEWER)
    return SimpleNamespace(
        acme=acme,
        globex=globex,
        alice=make_user("alice", superuser=True),
        bob=bob,
        carol=carol,
        charlie=make_user("charlie"),
    )


@pytest.fixture
def login(client):
    """Log a user of the world in and return the client."""

    def login_as(user):
        client.force_login(user)
        return client

    return login_as
