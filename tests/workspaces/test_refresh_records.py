"""What a refresh records besides the new pair: when the connection's state
changed, whose tokens they are, and the log lines an admin reads to follow it.

The state's date is what the connections page shows as "since": a refresh
that mends an error dates the recovery, one of a healthy connection must not
make it look newly healthy.
"""

import logging
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from aac import parse_access_token
from aac.errors import Unavailable
from aacsim import Fault
from tests.workspaces.stored import reread, tokens
from workspaces.models import Connection
from workspaces.tokens.lease import force_refresh
from workspaces.tokens.problems import TokenProblem

pytestmark = pytest.mark.django_db

State = Connection.State
LOGGER = "workspaces.tokens"


def dated(connection, state, *, days_ago: int):
    """The connection in `state` since `days_ago`, in the database and in hand."""
    since = timezone.now() - timedelta(days=days_ago)
    reason = "" if state == State.OK else "AAC's token server is unreachable"
    Connection.objects.filter(pk=connection.pk).update(
        state=state, state_reason=reason, state_changed_at=since
    )
    connection.state, connection.state_reason = state, reason
    connection.state_changed_at = since
    return since


def test_a_refresh_that_mends_an_error_dates_the_recovery(make_sim_connection):
    _, connection = make_sim_connection("Mended")
    dated(connection, State.ERROR, days_ago=3)
    before = timezone.now()

    force_refresh(connection)

    stored = reread(connection)
    assert (stored.state, stored.state_reason) == (State.OK, "")
    assert before <= stored.state_changed_at <= timezone.now()
    assert (connection.state, connection.state_reason) == (State.OK, "")
    assert connection.state_changed_at == stored.state_changed_at


def test_a_refresh_of_a_healthy_connection_keeps_the_date_it_became_healthy(
    make_sim_connection,
):
    _, connection = make_sim_connection("Healthy")
    since = dated(connection, State.OK, days_ago=3)

    force_refresh(connection)

    assert reread(connection).state_changed_at == since
    assert connection.state_changed_at == since


def test_the_first_refresh_learns_whose_tokens_they_are(make_sim_connection):
    _, connection = make_sim_connection("Whose")
    Connection.objects.filter(pk=connection.pk).update(aac_person_id="")
    connection.aac_person_id = ""

    access = force_refresh(reread(connection))

    person = parse_access_token(access).subject
    assert person
    assert reread(connection).aac_person_id == person


def test_the_log_names_the_connection_and_when_its_new_token_expires(
    make_sim_connection, caplog
):
    _, connection = make_sim_connection("Logged")

    with caplog.at_level(logging.INFO, logger=LOGGER):
        force_refresh(connection)

    expires = reread(connection).access_token_expires_at
    assert expires is not None
    assert (
        f"Refreshed the tokens of connection {connection.pk}; access token "
        f"expires {expires}"
    ) in caplog.messages


def test_an_opaque_token_without_a_lifetime_is_logged_as_expiring_when_unknown(
    aac_sim, make_sim_connection, caplog
):
    _, connection = make_sim_connection("Opaque answer")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(
            aac_sim.urls.token_url,
            json={"access_token": "opaque-1", "refresh_token": "rt-next"},
        )
        with caplog.at_level(logging.INFO, logger=LOGGER):
            assert force_refresh(connection) == "opaque-1"

    assert tokens(connection.pk) == ("opaque-1", "rt-next")
    assert reread(connection).access_token_expires_at is None
    assert (
        f"Refreshed the tokens of connection {connection.pk}; access token "
        "expires at an unknown time"
    ) in caplog.messages


def test_a_retried_refresh_says_why_in_the_log(aac_sim, make_sim_connection, caplog):
    remote, connection = make_sim_connection("Retried")
    aac_sim.sim.faults.add(
        Fault(kind="drop", workspace=remote.id, endpoint="token", times=1)
    )

    with caplog.at_level(logging.WARNING, logger=LOGGER), pytest.raises(TokenProblem):
        force_refresh(connection)

    [retry] = [r for r in caplog.records if "retrying once" in r.getMessage()]
    assert retry.getMessage().startswith("Token refresh failed (")
    assert isinstance(retry.args[0], Unavailable)


def test_an_opaque_pair_for_a_connection_of_unknown_person_stays_of_unknown_person(
    aac_sim, make_sim_connection
):
    _, connection = make_sim_connection("Nobody yet")
    Connection.objects.filter(pk=connection.pk).update(aac_person_id="")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(
            aac_sim.urls.token_url,
            json={"access_token": "opaque-2", "refresh_token": "rt-2"},
        )
        assert force_refresh(reread(connection)) == "opaque-2"

    assert reread(connection).aac_person_id == ""
    assert reread(connection).state == State.OK
