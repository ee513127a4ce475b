"""Token-server answers the simulator does not give on its own, through `responses`.

The workspaces are registered with real simulator pairs first; then the
token URL answers what each case needs.
"""

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from aacsim.responses_adapter import mount
from tests.aac.tokens import make_jwt
from tests.workspaces.stored import reread, tokens
from workspaces.models import Connection
from workspaces.tokens.lease import force_refresh
from workspaces.tokens.problems import TokenProblem
from workspaces.tokens.refresh import ANSWER_UNREADABLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def refused(url: str) -> requests.ConnectionError:
    """What requests raises when nothing listens: the request was never sent."""
    reason = NewConnectionError(None, "Failed to establish a new connection: refused")
    return requests.ConnectionError(MaxRetryError(None, url, reason))


def sim_jwt(aac_sim, remote, *, lifetime: int = 3600) -> str:
    return make_jwt(
        {
            "iss": aac_sim.urls.issuer,
            "client_id": remote.client_id,
            "exp": int(time.time()) + lifetime,
        }
    )


def test_an_answer_without_refresh_token_keeps_the_stored_one(
    aac_sim, make_sim_connection, rsps, caplog
):
    remote, connection = make_sim_connection("No refresh token")
    old_refresh = tokens(connection.pk)[1]
    new_access = sim_jwt(aac_sim, remote)
    rsps.post(
        aac_sim.urls.token_url,
        json={"access_token": new_access, "expires_in": 3600, "token_type": "Bearer"},
    )

    with caplog.at_level(logging.WARNING, logger="workspaces.tokens"):
        assert force_refresh(connection) == new_access

    assert tokens(connection.pk) == (new_access, old_refresh)
    assert reread(connection).state == Connection.State.OK
    assert (
        f"Connection {connection.pk}: AAC's token answer had no refresh token; "
        "keeping the stored one"
    ) in caplog.messages


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"refresh_token": "rt-new", "expires_in": 3600}, "access_token"),
        (
            {"access_token": "SIMJWT", "refresh_token": "rt-new", "expires_in": "soon"},
            "expires_in",
        ),
    ],
)
def test_an_unusable_answer_says_the_refresh_token_may_be_spent_and_keeps_tokens(
    aac_sim, make_sim_connection, rsps, answer, reason
):
    remote, connection = make_sim_connection("Unusable answer")
    if answer.get("access_token") == "SIMJWT":
        answer["access_token"] = sim_jwt(aac_sim, remote)
    before = tokens(connection.pk)
    rsps.post(aac_sim.urls.token_url, json=answer)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    # Sent and answered, but unreadable: the server may have rotated.
    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    assert len(rsps.calls) == 2  # one guarded retry with the same token
    stored = reread(connection)
    assert stored.state == Connection.State.NEEDS_REAUTH
    assert stored.state_reason.startswith(ANSWER_UNREADABLE)
    assert reason in stored.state_reason
    assert "tokens unchanged" not in stored.state_reason
    assert tokens(connection.pk) == before


def test_another_oauth_error_is_definite_and_keeps_the_tokens(
    aac_sim, make_sim_connection, rsps
):
    """An OAuth error in the token server's own words means nothing rotated."""
    _, connection = make_sim_connection("Bad client")
    before = tokens(connection.pk)
    rsps.post(
        aac_sim.urls.token_url,
        status=400,
        json={"error": "invalid_client", "error_description": "Unknown client."},
    )

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.FAILED
    assert len(rsps.calls) == 1
    stored = reread(connection)
    assert stored.state == Connection.State.ERROR
    assert "tokens unchanged" in stored.state_reason
    assert tokens(connection.pk) == before


@pytest.mark.parametrize(
    ("jwt_lifetime", "expires_in", "expected"), [(600, 3600, 600), (3600, 300, 300)]
)
def test_expiry_is_the_earlier_of_expires_in_and_exp(
    aac_sim, make_sim_connection, rsps, jwt_lifetime, expires_in, expected
):
    remote, connection = make_sim_connection("Expiry")
    rsps.post(
        aac_sim.urls.token_url,
        json={
            "access_token": sim_jwt(aac_sim, remote, lifetime=jwt_lifetime),
            "refresh_token": "rt-next",
            "expires_in": expires_in,
        },
    )

    force_refresh(connection)

    expires_at = reread(connection).access_token_expires_at
    left = expires_at - datetime.now(UTC)
    assert timedelta(seconds=expected - 5) < left <= timedelta(seconds=expected)


def test_a_refused_connection_is_retried_once(
    aac_sim, make_sim_connection, sim_stats, rsps
):
    remote, connection = make_sim_connection("Refused once")
    rsps.post(aac_sim.urls.token_url, body=refused(aac_sim.urls.token_url))
    mount(aac_sim.sim, rsps, api_url=aac_sim.urls.api, gateway_url=aac_sim.urls.gateway)

    access = force_refresh(connection)

    assert len(rsps.calls) == 2
    assert sim_stats.refreshes(remote) == 1
    assert tokens(connection.pk)[0] == access
    assert reread(connection).state == Connection.State.OK


def test_a_token_server_refusing_twice_leaves_tokens_and_says_so(
    aac_sim, make_sim_connection, rsps
):
    _, connection = make_sim_connection("Refused twice")
    before = tokens(connection.pk)
    rsps.post(aac_sim.urls.token_url, body=refused(aac_sim.urls.token_url))

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.UNAVAILABLE
    assert len(rsps.calls) == 2
    stored = reread(connection)
    assert stored.state == Connection.State.ERROR
    assert "unreachable" in stored.state_reason
    assert tokens(connection.pk) == before


def test_a_refusal_without_a_description_is_told_by_the_servers_answer(
    aac_sim, make_sim_connection, rsps
):
    _, connection = make_sim_connection("Refused without words")
    rsps.post(aac_sim.urls.token_url, status=400, json={"error": "invalid_grant"})

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    reason = reread(connection).state_reason
    assert reason.startswith("AAC refused the refresh token: ")
    assert "400" in reason.removeprefix("AAC refused the refresh token: ")
