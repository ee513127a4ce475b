"""Who the API lets in: tokens, the portal's session (with CSRF), the rate limit."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.tokens import digest_of
from tests.api.calls import api_client
from tests.factories import make_token

URL = "/api/v1/workspaces/"


def error_of(response) -> dict:
    return response.json()["error"]


def test_it_answers_no_token_with_401_and_a_bearer_challenge(world):
    response = api_client().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("aacp_unknown", "Unknown API token."),
        ("not-even-ours", "Unknown API token."),
    ],
)
def test_it_answers_an_unknown_token_with_401(world, secret, message):
    response = api_client(secret).get(URL)
    assert response.status_code == 401
    assert error_of(response) == {"code": "authentication_failed", "message": message}


def test_it_says_a_token_is_expired_or_revoked(world):
    expired = make_token(world.bob, expires_at=timezone.now() - timedelta(1))[1]
    revoked = make_token(world.bob, revoked=True)[1]
    assert error_of(api_client(expired).get(URL))["message"] == (
        "This API token is expired."
    )
    assert error_of(api_client(revoked).get(URL))["message"] == (
        "This API token is revoked."
    )


def test_it_reads_the_scheme_whatever_its_case(world):
    secret = make_token(world.bob)[1]
    client = Client(headers={"Authorization": f"bearer {secret}"})
    assert client.get(URL).status_code == 200


def test_it_refuses_the_token_of_a_deactivated_user(world):
    secret = make_token(world.bob)[1]
    world.bob.is_active = False
    world.bob.save()
    assert api_client(secret).get(URL).status_code == 401


def test_it_stores_only_the_digest_of_a_secret(world):
    token, secret = make_token(world.bob)
    assert secret.startswith("aacp_")
    assert len(secret) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert secret not in str(stored)
    assert stored["digest"] == digest_of(secret)


def test_it_notes_a_tokens_last_use_at_most_once_a_minute(world):
    token, secret = make_token(world.bob)
    with time_machine.travel("2026-12-01 10:00:00Z", tick=False):
        api_client(secret).get(URL)
    with time_machine.travel("2026-12-01 10:00:30Z", tick=False):
        api_client(secret).get(URL)
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-12-01T10:00:00+00:00"
    with time_machine.travel("2026-12-01 10:01:30Z", tick=False):
        api_client(secret).get(URL)
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-12-01T10:01:30+00:00"


def test_a_read_only_token_reads_but_acts_on_nothing(world):
    secret = make_token(world.bob, read_only=True)[1]
    client = api_client(secret)
    assert client.get(URL).status_code == 200
    response = client.post(f"/api/v1/workspaces/{world.acme.pk}/sync/")
    assert response.status_code == 403
    assert error_of(response) == {
        "code": "permission_denied",
        "message": "This API token is read-only.",
    }


def test_a_token_needs_no_csrf_token_to_act(world):
    secret = make_token(world.bob)[1]
    response = api_client(secret).post(f"/api/v1/workspaces/{world.acme.pk}/sync/")
    assert response.status_code == 202


def test_a_session_reads_without_a_token_but_acts_only_with_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob)
    assert client.get(URL).status_code == 200
    sync = f"/api/v1/workspaces/{world.acme.pk}/sync/"
    refused = client.post(sync, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in error_of(refused)["message"]
    client.get("/api/tokens/")
    csrf = client.cookies["csrftoken"].value
    sent = client.post(
        sync, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert sent.status_code == 202


def test_a_viewer_is_refused_an_action_with_the_pages_message(world):
    secret = make_token(world.carol)[1]
    response = api_client(secret).post(f"/api/v1/workspaces/{world.acme.pk}/sync/")
    assert response.status_code == 403
    assert error_of(response)["message"] == "Viewers cannot start syncs or refreshes"


def test_a_workspace_outside_the_users_is_not_found(world):
    secret = make_token(world.charlie)[1]
    response = api_client(secret).get(f"/api/v1/workspaces/{world.acme.pk}/")
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "No such workspace"}


def test_it_limits_each_token_and_says_when_to_retry(world, settings):
    settings.AAC_API_RATE = "2/min"
    cache.clear()
    first, second = make_token(world.bob)[1], make_token(world.bob)[1]
    with time_machine.travel("2026-12-01 10:00:00Z", tick=False):
        assert api_client(first).get(URL).status_code == 200
        assert api_client(first).get(URL).status_code == 200
        limited = api_client(first).get(URL)
        assert api_client(second).get(URL).status_code == 200
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert error_of(limited)["code"] == "throttled"
    cache.clear()


def test_an_unknown_api_url_is_a_json_404(world):
    response = api_client().get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
