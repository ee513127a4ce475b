"""The API tokens page: make a token (its secret shown once), see them, revoke;
and the admin's revoke action."""

import re

import time_machine
from django.urls import reverse

from api.models import ApiToken
from api.tokens import digest_of
from tests.api.calls import api_client
from tests.factories import make_token

URL = "/api/tokens/"


@time_machine.travel("2026-12-01 10:00:00Z", tick=False)
def test_it_makes_a_token_and_shows_its_secret_once(login, world):
    client = login(world.bob)
    created = client.post(URL, {"name": "nightly report", "lifetime": "30"})
    assert (created.status_code, created["Location"]) == (302, URL)
    response = client.get(URL)
    secret = re.search(r'<code id="new-token">(aacp_[\w-]+)</code>', response.text)[1]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.read_only) == (
        world.bob,
        "nightly report",
        False,
    )
    assert token.digest == digest_of(secret)
    assert token.expires_at.isoformat() == "2026-12-31T10:00:00+00:00"
    assert api_client(secret).get("/api/v1/workspaces/").status_code == 200
    page = client.get(URL).text
    assert secret not in page
    assert ApiToken.objects.count() == 1
    assert f"{token.prefix}…" in page
    assert "nightly report" in page


def test_it_makes_a_read_only_token_without_expiry(login, world):
    login(world.bob).post(URL, {"name": "catalogue", "lifetime": "", "read_only": "on"})
    token = ApiToken.objects.get()
    assert (token.read_only, token.expires_at) == (True, None)


def test_it_asks_for_a_name(login, world):
    response = login(world.bob).post(URL, {"name": "", "lifetime": "30"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


def test_it_lists_only_the_users_own_tokens_with_their_last_use(login, world):
    make_token(world.bob, name="bob's")
    make_token(world.carol, name="carol's")
    page = login(world.bob).get(URL).text
    assert "bob&#x27;s" in page
    assert "carol&#x27;s" not in page
    assert "never" in page


def test_the_owner_revokes_a_token_and_it_stops_working(login, world):
    token, secret = make_token(world.bob)
    client = login(world.bob)
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.state == "revoked"
    assert api_client(secret).get("/api/v1/workspaces/").status_code == 401


def test_nobody_else_revokes_it_here(login, world):
    token, _ = make_token(world.bob)
    response = login(world.alice).post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.state == "active"


def test_the_admin_lists_and_revokes_anyones_tokens(login, world):
    bobs, _ = make_token(world.bob, name="bob's")
    carols, _ = make_token(world.carol, name="carol's")
    client = login(world.alice)
    listing = client.get("/admin/api/apitoken/")
    assert "bob&#x27;s" in listing.text
    assert "carol&#x27;s" in listing.text
    assert bobs.digest not in listing.text
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [bobs.pk, carols.pk]},
    )
    assert set(ApiToken.objects.values_list("revoked_at", flat=True)) != {None}
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0
