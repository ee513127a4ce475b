"""Tokens over HTTP: single-use refresh tokens, lost answers, dead tokens."""

import pytest

from aac import AACClient, Endpoints
from aac.errors import AuthError, InvalidGrant, Unavailable
from aacsim import Simulator
from aacsim.server import serve


def test_a_refresh_rotates_the_pair(world):
    pair = world.pair

    grant = world.client.refresh(pair.refresh_token, pair.client_id)

    assert grant.refresh_token not in (None, pair.refresh_token)
    assert grant.expires_in == world.sim.access_token_lifetime
    fresh = AACClient(world.endpoints, grant.access_token)
    assert fresh.current_workspace()["id"] == world.workspace.id
    with pytest.raises(InvalidGrant, match="does not exist") as info:
        world.client.refresh(pair.refresh_token, pair.client_id)
    assert "does not exist" in info.value.description
    assert world.sim.stats.refreshes[world.workspace.id] == 1


def test_a_lost_refresh_answer_may_have_spent_the_token(world):
    pair = world.pair
    world.fault(kind="drop", endpoint="token")

    with pytest.raises(Unavailable) as info:
        world.client.refresh(pair.refresh_token, pair.client_id)

    assert info.value.maybe_sent is True
    assert world.sim.stats.refreshes[world.workspace.id] == 1
    world.sim.faults.clear()
    with pytest.raises(InvalidGrant):
        world.client.refresh(pair.refresh_token, pair.client_id)


def test_nothing_is_sent_when_aac_refuses_connections(world):
    with serve(Simulator()) as urls:
        closed = urls.api  # nothing listens there once the block ends
    client = AACClient(
        Endpoints(closed, closed, f"{closed}/as", f"{closed}/as/token"), None
    )

    with pytest.raises(Unavailable) as info:
        client.refresh(world.pair.refresh_token, world.pair.client_id)

    assert info.value.maybe_sent is False


def test_an_expired_access_token_is_an_auth_error(make_world, clock):
    world = make_world(access_token_lifetime=300)
    assert world.client.current_workspace()["id"] == world.workspace.id
    clock.advance(301)

    with pytest.raises(AuthError) as info:
        world.client.current_workspace()

    assert info.value.status == 401
    assert "AuthenticationFailed" in str(info.value)


def test_a_made_up_token_is_an_auth_error(world):
    world.client.access_token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.forged"

    with pytest.raises(AuthError) as info:
        world.client.count_schedules()

    assert info.value.status == 401


def test_a_made_up_token_is_an_auth_error_on_the_workflow_service_too(world):
    world.client.access_token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.forged"

    with pytest.raises(AuthError) as info:
        world.client.run_workflow(world.workflow().id)

    assert (info.value.status, info.value.code) == (401, "UnauthorizedError")
