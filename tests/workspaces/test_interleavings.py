"""The token lease's races, forced in order rather than hoped for from threads
(docs/reliability.md rule 4): each test fails every time the guard it names
is taken out of `workspaces.tokens`."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.interleave import after_first_call, before_first_call
from tests.workspaces.stored import expire_soon, reread, tokens
from workspaces.models import Connection
from workspaces.tokens import lease, refresh
from workspaces.tokens.lease import fresh_access_token
from workspaces.tokens.problems import TokenProblem

pytestmark = pytest.mark.django_db


def test_a_refresh_finished_between_my_read_and_my_claim_is_used_not_repeated(
    make_sim_connection, sim_stats, monkeypatch
):
    """Guard: after winning the lease, read the row again (lease._refresh)."""
    remote, connection = make_sim_connection("Raced")
    expire_soon(connection.pk)
    # I have read the expiring token; before I claim, another caller refreshes.
    other = before_first_call(
        monkeypatch, lease, "_claim", lambda: fresh_access_token(reread(connection))
    )

    mine = fresh_access_token(connection)

    assert sim_stats.requests(remote, "token") == 1
    assert mine == other[0] == tokens(connection.pk)[0]
    assert reread(connection).refresh_lease_id is None


def test_a_lease_lost_while_refreshing_saves_nothing_and_hands_out_nothing(
    make_sim_connection, sim_stats, monkeypatch, caplog
):
    """Guards: the save is conditional on my lease, and a failed save raises
    instead of handing out the unsaved token (refresh._persist); I release
    only my own lease (lease._release)."""
    remote, connection = make_sim_connection("Lease lost")
    expire_soon(connection.pk)
    stored = tokens(connection.pk)
    others = []

    def my_lease_expires_and_another_caller_claims():
        Connection.objects.filter(pk=connection.pk).update(
            refresh_lease_expires_at=timezone.now() - timedelta(seconds=1)
        )
        others.append(lease._claim(connection.pk))

    # My POST has rotated the pair on AAC's side; my lease is gone before I save.
    after_first_call(
        monkeypatch, refresh, "_exchange", my_lease_expires_and_another_caller_claims
    )

    with pytest.raises(TokenProblem) as caught:
        fresh_access_token(connection)

    assert caught.value.kind == TokenProblem.FAILED
    assert caught.value.message == (
        "The refresh lease expired before the new tokens were saved."
    )
    lost = f"Connection {connection.pk}: refresh lease lost before saving"
    assert ("workspaces.tokens.refresh", logging.ERROR, lost) in caplog.record_tuples
    assert sim_stats.refreshes(remote) == 1
    assert tokens(connection.pk) == stored
    [other] = others
    assert isinstance(other, uuid.UUID)
    assert reread(connection).refresh_lease_id == other


def test_a_pair_saved_by_the_lease_taker_is_used_when_mine_cannot_be(
    aac_sim, make_sim_connection, sim_stats, monkeypatch
):
    """Guard: a failed save reads the row again and takes a pair someone else
    stored meanwhile (refresh._persist)."""
    remote, connection = make_sim_connection("Lease taken, pair saved")
    expire_soon(connection.pk)
    pasted = aac_sim.sim.new_token_pair(remote.id)

    def another_pair_is_stored_under_another_lease():
        Connection.objects.filter(pk=connection.pk).update(
            refresh_lease_id=uuid.uuid4()
        )
        row = Connection.objects.defer(None).get(pk=connection.pk)
        row.access_token, row.refresh_token = pasted.access_token, pasted.refresh_token
        row.save(update_fields=["access_token", "refresh_token"])

    after_first_call(
        monkeypatch, refresh, "_exchange", another_pair_is_stored_under_another_lease
    )

    assert fresh_access_token(connection) == pasted.access_token
    assert sim_stats.refreshes(remote) == 1
    assert tokens(connection.pk) == (pasted.access_token, pasted.refresh_token)
