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
from tests.workspaces.stored import tokens
from workspaces.models import Workspace
from workspaces.tokens.lease import force_refresh
from workspaces.tokens.problems import TokenProblem

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
    aac_sim, make_sim_workspace, rsps, caplog
):
    remote, workspace = make_sim_workspace("No refresh token")
    old_refresh = tokens(workspace.pk)[1]
    new_access = sim_jwt(aac_sim, remote)
    rsps.post(
        aac_sim.urls.token_url,
        json={"access_token": new_access, "expires_in": 3600, "token_type": "Bearer"},
    )

    with caplog.at_level(logging.WARNING, logger="workspaces.tokens"):
        assert force_refresh(workspace) == new_access

    assert tokens(workspace.pk) == (new_access, old_refresh)
    assert Workspace.objects.get(pk=workspace.pk).state == Workspace.State.OK
    assert "no refresh token; keeping the stored one" in caplog.text


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
def test_an_unusable_answer_fails_with_the_reason_and_keeps_tokens(
    aac_sim, make_sim_workspace, rsps, answer, reason
):
    remote, workspace = make_sim_workspace("Unusable answer")
    if answer.get("access_token") == "SIMJWT":
        answer["access_token"] = sim_jwt(aac_sim, remote)
    before = tokens(workspace.pk)
    rsps.post(aac_sim.urls.token_url, json=answer)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(workspace)

    assert caught.value.kind == TokenProblem.FAILED
    stored = Workspace.objects.get(pk=workspace.pk)
    assert stored.state == Workspace.State.ERROR
    assert reason in stored.state_reason
    assert tokens(workspace.pk) == before


@pytest.mark.parametrize(
    ("jwt_lifetime", "expires_in", "expected"), [(600, 3600, 600), (3600, 300, 300)]
)
def test_expiry_is_the_earlier_of_expires_in_and_exp(
    aac_sim, make_sim_workspace, rsps, jwt_lifetime, expires_in, expected
):
    remote, workspace = make_sim_workspace("Expiry")
    rsps.post(
        aac_sim.urls.token_url,
        json={
            "access_token": sim_jwt(aac_sim, remote, lifetime=jwt_lifetime),
            "refresh_token": "rt-next",
            "expires_in": expires_in,
        },
    )

    force_refresh(workspace)

    expires_at = Workspace.objects.get(pk=workspace.pk).access_token_expires_at
    left = expires_at - datetime.now(UTC)
    assert timedelta(seconds=expected - 5) < left <= timedelta(seconds=expected)


def test_a_refused_connection_is_retried_once(
    aac_sim, make_sim_workspace, sim_stats, rsps
):
    remote, workspace = make_sim_workspace("Refused once")
    rsps.post(aac_sim.urls.token_url, body=refused(aac_sim.urls.token_url))
    mount(aac_sim.sim, rsps, api_url=aac_sim.urls.api, gateway_url=aac_sim.urls.gateway)

    access = force_refresh(workspace)

    assert len(rsps.calls) == 2
    assert sim_stats.refreshes(remote) == 1
    assert tokens(workspace.pk)[0] == access
    assert Workspace.objects.get(pk=workspace.pk).state == Workspace.State.OK


def test_a_token_server_refusing_twice_leaves_tokens_and_says_so(
    aac_sim, make_sim_workspace, rsps
):
    _, workspace = make_sim_workspace("Refused twice")
    before = tokens(workspace.pk)
    rsps.post(aac_sim.urls.token_url, body=refused(aac_sim.urls.token_url))

    with pytest.raises(TokenProblem) as caught:
        force_refresh(workspace)

    assert caught.value.kind == TokenProblem.UNAVAILABLE
    assert len(rsps.calls) == 2
    stored = Workspace.objects.get(pk=workspace.pk)
    assert stored.state == Workspace.State.ERROR
    assert "unreachable" in stored.state_reason
    assert tokens(workspace.pk) == before
