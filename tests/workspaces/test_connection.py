"""`call_aac`: fresh tokens, the 401 dance, and no 401 storms (simulator, real HTTP)."""

import time
from datetime import UTC, datetime

import pytest
import time_machine

from aac.errors import AuthError, Unavailable
from aacsim import Fault
from tests.workspaces.stored import reread
from workspaces.connection import call_aac
from workspaces.models import Connection
from workspaces.tokens.problems import TokenProblem

pytestmark = pytest.mark.django_db

State = Connection.State


def current(client):
    return client.current_workspace()


def test_a_successful_call_marks_the_workspace_ok(make_sim_connection, sim_stats):
    remote, connection = make_sim_connection("Fine")
    assert connection.state == State.NEW

    assert call_aac(connection, current)["gid"] == remote.gid

    assert reread(connection).state == State.OK
    assert sim_stats.requests(remote, "token") == 0


def test_a_401_with_a_token_believed_valid_forces_one_refresh_and_one_retry(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Revoked access token")
    aac_sim.sim.faults.add(
        Fault(
            kind="status",
            status=401,
            workspace=remote.id,
            endpoint="workspaces.current",
            times=1,
        )
    )

    assert call_aac(connection, current)["gid"] == remote.gid

    assert sim_stats.refreshes(remote) == 1
    assert sim_stats.requests(remote, "workspaces.current") == 2
    assert reread(connection).state == State.OK


def test_a_second_401_needs_reauthorisation(aac_sim, make_sim_connection, sim_stats):
    remote, connection = make_sim_connection("Refused twice")
    aac_sim.sim.faults.add(
        Fault(
            kind="status",
            status=401,
            workspace=remote.id,
            endpoint="workspaces.current",
            times=2,
        )
    )

    with pytest.raises(TokenProblem) as caught:
        call_aac(connection, current)

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    assert sim_stats.refreshes(remote) == 1
    assert sim_stats.requests(remote, "workspaces.current") == 2
    stored = reread(connection)
    assert stored.state == State.NEEDS_REAUTH
    assert stored.state_reason == caught.value.message

    with pytest.raises(TokenProblem):
        call_aac(stored, current)
    assert sim_stats.requests(remote, "workspaces.current") == 2


def test_a_403_is_not_about_the_token(aac_sim, make_sim_connection, sim_stats):
    remote, connection = make_sim_connection("Forbidden")
    aac_sim.sim.faults.add(
        Fault(kind="status", status=403, workspace=remote.id, endpoint="*", times=1)
    )

    with pytest.raises(AuthError):
        call_aac(connection, current)

    assert sim_stats.requests(remote, "token") == 0
    assert reread(connection).state == State.NEW


def test_other_errors_are_raised_as_they_are_and_leave_the_state(
    aac_sim, make_sim_connection, settings
):
    settings.AAC_GET_ATTEMPTS = 1
    remote, connection = make_sim_connection("Unavailable")
    aac_sim.sim.faults.add(
        Fault(kind="status", status=503, workspace=remote.id, endpoint="*")
    )

    with pytest.raises(Unavailable):
        call_aac(connection, current)

    assert reread(connection).state == State.NEW


@pytest.mark.parametrize("lifetime", [300, 3600])
@pytest.mark.parametrize("skew", [-120, 120])
def test_no_401_storm_whatever_the_lifetime_and_clock_skew(
    aac_sim, make_sim_connection, sim_stats, monkeypatch, lifetime, skew
):
    """Two hours of calls every 90 s with AAC's clock `skew` seconds off ours."""
    monkeypatch.setattr(aac_sim.sim, "access_token_lifetime", lifetime)
    monkeypatch.setattr(aac_sim.sim, "clock", lambda: time.time() + skew)
    calls = 80
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False) as clock:
        remote, connection = make_sim_connection(f"Skew {skew} lifetime {lifetime}")
        refused_before = aac_sim.sim.stats.requests[(None, "workspaces.current")]
        for _ in range(calls):
            call_aac(connection, current)
            clock.shift(90)

    assert aac_sim.sim.stats.requests[(None, "workspaces.current")] == refused_before
    assert sim_stats.requests(remote, "workspaces.current") == calls
    # Never more than one refresh per call; hourly tokens about once an hour.
    assert 0 < sim_stats.refreshes(remote) <= (calls if lifetime == 300 else 3)
