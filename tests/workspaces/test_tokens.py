"""The token service against the simulator over real HTTP (docs/reliability.md
rules 3-6)."""

import logging
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from aac import AACClient, parse_access_token
from aacsim import Fault
from tests.aac.tokens import make_jwt
from tests.workspaces.stored import expire_soon, reread, tokens
from workspaces.connection import call_aac
from workspaces.models import Connection, Workspace
from workspaces.tokens import lease
from workspaces.tokens.lease import force_refresh, fresh_access_token
from workspaces.tokens.pasted import store_pasted_tokens
from workspaces.tokens.problems import REAUTH_HELP, TokenProblem
from workspaces.tokens.refresh import ANSWER_LOST, ANSWER_UNREADABLE

pytestmark = pytest.mark.django_db

State = Connection.State


def test_it_returns_the_stored_token_while_it_is_valid(make_sim_connection, sim_stats):
    remote, connection = make_sim_connection("Valid")

    assert fresh_access_token(connection) == tokens(connection.pk)[0]
    assert sim_stats.requests(remote, "token") == 0


def test_it_refreshes_a_token_about_to_expire(make_sim_connection, sim_stats):
    remote, connection = make_sim_connection("Expiring")
    old_access, old_refresh = tokens(connection.pk)
    expire_soon(connection.pk)

    access = fresh_access_token(connection)

    assert sim_stats.refreshes(remote) == 1
    assert access != old_access
    stored = reread(connection)
    assert tokens(connection.pk)[0] == access
    assert tokens(connection.pk)[1] != old_refresh
    assert stored.state == State.OK
    assert stored.refresh_lease_id is None
    left = stored.access_token_expires_at - timezone.now()
    assert timedelta(minutes=59) < left <= timedelta(hours=1)
    assert fresh_access_token(connection) == access
    assert sim_stats.refreshes(remote) == 1


def test_it_refreshes_an_opaque_token_on_first_use(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Opaque")
    refresh = tokens(connection.pk)[1]
    store_pasted_tokens(
        connection, access_token="opaque-access-token-42", refresh_token=refresh
    )
    assert reread(connection).access_token_expires_at is None

    access = fresh_access_token(connection)

    assert parse_access_token(access) is not None
    assert sim_stats.refreshes(remote) == 1
    assert fresh_access_token(connection) == access
    assert sim_stats.refreshes(remote) == 1


def test_it_takes_the_client_id_from_the_access_token(make_sim_connection):
    remote, connection = make_sim_connection("Client id")

    assert reread(connection).client_id == remote.client_id


def test_it_says_which_client_id_is_missing_for_an_opaque_token(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("No client id")
    Connection.objects.filter(pk=connection.pk).update(client_id="")
    connection.client_id = ""
    store_pasted_tokens(
        connection, access_token="opaque-access", refresh_token=tokens(connection.pk)[1]
    )

    with pytest.raises(TokenProblem) as caught:
        fresh_access_token(connection)

    assert caught.value.kind == TokenProblem.CONFIGURATION
    assert caught.value.message == (
        "No OAuth client id: enter it in the admin; the access token has none."
    )
    assert reread(connection).state == State.ERROR
    assert sim_stats.requests(remote, "token") == 0


def test_it_refuses_a_token_from_another_issuer_and_sends_nothing(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Foreign issuer")
    crafted = make_jwt(
        {"iss": "https://attacker.example/as", "client_id": remote.client_id, "exp": 1}
    )
    # As if written by a bug or by hand: the admin form refuses such a token.
    Connection.objects.filter(pk=connection.pk).update(access_token=crafted)
    expire_soon(connection.pk)

    with pytest.raises(TokenProblem) as caught:
        fresh_access_token(connection)

    assert "unexpected issuer" in caught.value.message
    stored = reread(connection)
    assert stored.state == State.NEEDS_REAUTH
    assert "unexpected issuer" in stored.state_reason
    assert sim_stats.requests(remote, "token") == 0


def test_it_checks_the_issuer_of_a_valid_access_token_before_using_it(
    make_sim_connection, sim_stats, settings
):
    """The region changed under a stored, unexpired token: its Bearer would go to
    the new region's hosts (docs/reliability.md rule 15)."""
    _remote, connection = make_sim_connection("Region changed under it")
    settings.AAC_REGIONS = {
        **settings.AAC_REGIONS,
        "elsewhere": {
            **settings.AAC_REGIONS["sim"],
            "issuer": "https://elsewhere.example/as",
        },
    }
    Workspace.objects.filter(pk=connection.workspace_id).update(region="elsewhere")
    requests_before = sim_stats.total()

    with pytest.raises(TokenProblem) as caught:
        call_aac(reread(connection), lambda client: client.current_workspace())

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    assert "unexpected issuer" in caught.value.message
    assert "Nothing was sent" in caught.value.message
    assert sim_stats.total() == requests_before
    assert reread(connection).state == State.NEEDS_REAUTH


def test_a_region_missing_from_settings_is_a_clear_state_and_sends_nothing(
    make_sim_connection, sim_stats, settings
):
    _remote, connection = make_sim_connection("Region removed")
    expire_soon(connection.pk)
    settings.AAC_REGIONS = {
        key: region for key, region in settings.AAC_REGIONS.items() if key != "sim"
    }
    requests_before = sim_stats.total()

    with pytest.raises(TokenProblem) as caught:
        fresh_access_token(connection)

    assert caught.value.kind == TokenProblem.CONFIGURATION
    assert "Region 'sim' is not configured" in caught.value.message
    assert sim_stats.total() == requests_before
    stored = reread(connection)
    assert (stored.state, stored.state_reason) == (State.ERROR, caught.value.message)


def test_it_needs_reauthorisation_after_invalid_grant_without_retrying(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Spent")
    aac_sim.sim.refresh(tokens(connection.pk)[1], client_id=remote.client_id)
    before = tokens(connection.pk)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    # In the token server's own words, one full stop, then the way out.
    assert caught.value.message == (
        f"AAC refused the refresh token: The refresh token does not exist. "
        f"{REAUTH_HELP}"
    )
    assert sim_stats.requests(remote, "token") == 1
    stored = reread(connection)
    assert stored.state == State.NEEDS_REAUTH
    assert stored.state_reason == caught.value.message
    assert tokens(connection.pk) == before

    with pytest.raises(TokenProblem, match="does not exist"):
        fresh_access_token(reread(connection))
    assert sim_stats.requests(remote, "token") == 1


def test_it_uses_a_pair_pasted_while_its_refresh_was_refused(
    aac_sim, make_sim_connection, sim_stats, monkeypatch, caplog
):
    remote, connection = make_sim_connection("Pasted meanwhile")
    pasted = aac_sim.sim.new_token_pair(remote.id)
    aac_sim.sim.refresh(tokens(connection.pk)[1], client_id=remote.client_id)
    refresh = AACClient.refresh

    def paste_then_refresh(client, refresh_token, client_id):
        store_pasted_tokens(
            reread(connection),
            access_token=pasted.access_token,
            refresh_token=pasted.refresh_token,
        )
        return refresh(client, refresh_token, client_id)

    monkeypatch.setattr(AACClient, "refresh", paste_then_refresh)

    with caplog.at_level(logging.INFO, logger="workspaces.tokens"):
        assert force_refresh(connection) == pasted.access_token
    assert tokens(connection.pk) == (pasted.access_token, pasted.refresh_token)
    assert reread(connection).state != State.NEEDS_REAUTH
    replaced = f"Connection {connection.pk}: tokens replaced during a refresh"
    assert replaced in caplog.messages


def test_a_refresh_never_writes_over_a_pair_pasted_during_it(
    aac_sim, make_sim_connection, sim_stats, monkeypatch, caplog
):
    remote, connection = make_sim_connection("Stale refresh")
    pasted = aac_sim.sim.new_token_pair(remote.id)
    refresh = AACClient.refresh

    def refresh_then_paste(client, refresh_token, client_id):
        grant = refresh(client, refresh_token, client_id)
        store_pasted_tokens(
            reread(connection),
            access_token=pasted.access_token,
            refresh_token=pasted.refresh_token,
        )
        return grant

    monkeypatch.setattr(AACClient, "refresh", refresh_then_paste)

    with caplog.at_level(logging.INFO, logger="workspaces.tokens"):
        assert force_refresh(connection) == pasted.access_token
    assert sim_stats.refreshes(remote) == 1
    assert tokens(connection.pk) == (pasted.access_token, pasted.refresh_token)
    replaced = f"Connection {connection.pk}: tokens replaced during a refresh"
    assert replaced in caplog.messages


def test_a_lost_answer_gets_one_guarded_retry_then_needs_reauthorisation(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Lost answer")
    other_remote, other = make_sim_connection("Bystander")
    aac_sim.sim.faults.add(
        Fault(kind="drop", workspace=remote.id, endpoint="token", times=1)
    )
    before = tokens(connection.pk)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    assert caught.value.message.startswith(ANSWER_LOST)
    assert sim_stats.requests(remote, "token") == 2
    assert sim_stats.refreshes(remote) == 1  # the dropped answer had rotated it
    stored = reread(connection)
    assert stored.state == State.NEEDS_REAUTH
    assert "answer lost" in stored.state_reason
    assert tokens(connection.pk) == before

    expire_soon(other.pk)
    assert fresh_access_token(other) != tokens(connection.pk)[0]
    assert sim_stats.refreshes(other_remote) == 1
    assert reread(other).state == State.OK


def test_an_ambiguous_failure_then_success_keeps_the_workspace_healthy(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Flaky token server")
    aac_sim.sim.faults.add(
        Fault(kind="status", status=503, workspace=remote.id, endpoint="token", times=1)
    )

    access = force_refresh(connection)

    assert sim_stats.requests(remote, "token") == 2
    assert sim_stats.refreshes(remote) == 1
    assert tokens(connection.pk)[0] == access
    assert reread(connection).state == State.OK


def test_it_reports_rate_limiting_and_leaves_state_and_tokens(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Rate limited")
    aac_sim.sim.faults.add(
        Fault(kind="rate_limit", retry_after=7, workspace=remote.id, endpoint="token")
    )
    before = tokens(connection.pk)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.RATE_LIMITED
    assert caught.value.message == (
        "AAC's token server is rate limiting; the refresh will be retried."
    )
    assert caught.value.retry_after == 7
    assert sim_stats.requests(remote, "token") == 1
    stored = reread(connection)
    assert stored.state == State.NEW
    assert (stored.refresh_lease_id, stored.refresh_lease_expires_at) == (None, None)
    assert tokens(connection.pk) == before


def test_an_unreadable_token_answer_says_the_refresh_token_may_be_spent(
    aac_sim, make_sim_connection, sim_stats
):
    """The token server rotated, then its answer could not be read: the stored
    refresh token is spent, whatever "tokens unchanged" would say."""
    remote, connection = make_sim_connection("Broken answer")
    aac_sim.sim.faults.add(
        Fault(kind="malformed_json", workspace=remote.id, endpoint="token", times=1)
    )
    before = tokens(connection.pk)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    assert caught.value.message.startswith(ANSWER_UNREADABLE)
    assert "not JSON" in caught.value.message
    assert REAUTH_HELP in caught.value.message
    assert sim_stats.requests(remote, "token") == 2  # one guarded retry
    assert sim_stats.refreshes(remote) == 1
    stored = reread(connection)
    assert (stored.state, stored.state_reason) == (
        State.NEEDS_REAUTH,
        caught.value.message,
    )
    assert tokens(connection.pk) == before


def test_a_wrong_key_is_a_configuration_fault_and_sends_nothing(
    make_sim_connection, sim_stats, use_keys, new_key
):
    _, connection = make_sim_connection("Wrong key")
    expire_soon(connection.pk)
    use_keys(new_key())
    requests_before = sim_stats.total()

    with pytest.raises(TokenProblem) as caught:
        fresh_access_token(connection)

    assert caught.value.kind == TokenProblem.CONFIGURATION
    assert "FIELD_ENCRYPTION_KEYS" in caught.value.message
    assert sim_stats.total() == requests_before
    stored = reread(connection)
    assert stored.state == State.ERROR
    assert stored.state != State.NEEDS_REAUTH


def test_it_never_refreshes_a_workspace_that_needs_reauthorisation(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Locked out")
    expire_soon(connection.pk)
    connection.set_state(State.NEEDS_REAUTH, "AAC refused the refresh token.")

    with pytest.raises(TokenProblem, match="refused the refresh token"):
        fresh_access_token(reread(connection))

    assert sim_stats.requests(remote, "token") == 0


def test_it_waits_for_a_held_lease_and_gives_up_within_its_budget(
    make_sim_connection, sim_stats, settings
):
    settings.AAC_CONNECT_TIMEOUT = settings.AAC_READ_TIMEOUT = 0.1
    remote, connection = make_sim_connection("Leased")
    expire_soon(connection.pk)
    Connection.objects.filter(pk=connection.pk).update(
        refresh_lease_id=uuid.uuid4(),
        refresh_lease_expires_at=timezone.now() + timedelta(minutes=5),
    )

    started = time.monotonic()
    with pytest.raises(TokenProblem) as caught:
        fresh_access_token(connection)

    # The winner's longest refresh: three POSTs of connect + read timeout.
    budget = 3 * (0.1 + 0.1)
    assert budget <= time.monotonic() - started < budget + 5
    assert caught.value.kind == TokenProblem.BUSY
    assert caught.value.message == (
        "Another token refresh of this connection is still running; "
        "try again in a minute."
    )
    assert sim_stats.requests(remote, "token") == 0


def test_it_takes_over_an_expired_lease(make_sim_connection, sim_stats):
    remote, connection = make_sim_connection("Dead lease")
    expire_soon(connection.pk)
    Connection.objects.filter(pk=connection.pk).update(
        refresh_lease_id=uuid.uuid4(),
        refresh_lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    fresh_access_token(connection)

    assert sim_stats.refreshes(remote) == 1
    assert reread(connection).refresh_lease_id is None


def test_force_refresh_takes_a_replacement_instead_of_refreshing_again(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Already replaced")
    rejected = tokens(connection.pk)[0]
    replacement = force_refresh(connection)

    assert force_refresh(connection, rejected_token=rejected) == replacement
    assert sim_stats.refreshes(remote) == 1


@pytest.mark.parametrize("known_from", ["the workspace", "the old access token"])
def test_a_refresh_token_of_another_workspace_is_found_out_and_its_pair_not_stored(
    aac_sim, make_sim_connection, sim_stats, known_from
):
    """Pasted beside this workspace's access token, a refresh token of an AAC
    workspace the portal does not hold: the first refresh shows the new pair is
    the other workspace's, and it is not stored here. Before the workspace
    and the person are recorded, the old access token says whose they are."""
    _, connection = make_sim_connection("Mismatched pair")
    if known_from == "the old access token":
        Workspace.objects.filter(pk=connection.workspace_id).update(aac_gid="")
        Connection.objects.filter(pk=connection.pk).update(aac_person_id="")
        connection = Connection.objects.select_related("workspace").get(
            pk=connection.pk
        )
    stranger = aac_sim.sim.add_workspace(name="Not in the portal", schedules=1)
    theirs = aac_sim.sim.new_token_pair(stranger.id)
    # One OAuth client for both (the simulator has one per workspace).
    Connection.objects.filter(pk=connection.pk).update(
        refresh_token=theirs.refresh_token, client_id=stranger.client_id
    )
    before = tokens(connection.pk)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    assert f"belonged to AAC workspace {stranger.gid}" in caught.value.message
    assert "were not one pair" in caught.value.message
    assert tokens(connection.pk) == before
    assert reread(connection).state == State.NEEDS_REAUTH
    assert reread(connection).refresh_lease_id is None


def test_a_connection_without_a_refresh_token_needs_reauthorisation(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("No refresh token")
    Connection.objects.filter(pk=connection.pk).update(refresh_token="")

    with pytest.raises(TokenProblem) as caught:
        force_refresh(connection)

    reason = f"No refresh token stored. {REAUTH_HELP}"
    assert (caught.value.kind, caught.value.message) == (
        TokenProblem.NEEDS_REAUTH,
        reason,
    )
    stored = reread(connection)
    assert (stored.state, stored.state_reason) == (State.NEEDS_REAUTH, reason)
    assert sim_stats.requests(remote, "token") == 0


def test_without_a_stored_client_id_it_refreshes_with_the_access_tokens(
    make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Client id from the token")
    Connection.objects.filter(pk=connection.pk).update(client_id="")

    force_refresh(reread(connection))

    assert sim_stats.refreshes(remote) == 1
    assert reread(connection).state == State.OK


def test_an_opaque_pair_of_an_unrecorded_workspace_and_person_is_refreshed(
    make_sim_connection, sim_stats
):
    """Nothing says whose the pair is (no recorded workspace or person, an
    opaque access token): the refresh goes ahead and learns the person."""
    remote, connection = make_sim_connection("Unrecorded")
    store_pasted_tokens(
        connection, access_token="opaque-3", refresh_token=tokens(connection.pk)[1]
    )
    Workspace.objects.filter(pk=connection.workspace_id).update(aac_gid="")
    Connection.objects.filter(pk=connection.pk).update(aac_person_id="")

    access = force_refresh(
        Connection.objects.select_related("workspace").get(pk=connection.pk)
    )

    assert sim_stats.refreshes(remote) == 1
    assert reread(connection).aac_person_id == parse_access_token(access).subject


@pytest.mark.parametrize("known_from", ["the connection", "the old access token"])
def test_a_refresh_token_of_another_person_is_found_out_and_its_pair_not_stored(
    aac_sim, make_sim_connection, known_from
):
    remote, connection = make_sim_connection("Another person's token")
    mine = parse_access_token(tokens(connection.pk)[0]).subject
    other = next(
        p["id"]
        for p in remote.people
        if not p["isDisabled"] and str(p["id"]) != str(mine)
    )
    theirs = aac_sim.sim.new_token_pair(remote.id, person_id=other)
    Connection.objects.filter(pk=connection.pk).update(
        refresh_token=theirs.refresh_token
    )
    if known_from == "the old access token":
        Connection.objects.filter(pk=connection.pk).update(aac_person_id="")
    before = tokens(connection.pk)

    with pytest.raises(TokenProblem) as caught:
        force_refresh(reread(connection))

    assert caught.value.kind == TokenProblem.NEEDS_REAUTH
    assert (
        f"belonged to AAC person {other}, not to this connection's person ({mine})"
        in caught.value.message
    )
    assert tokens(connection.pk) == before


def test_a_claimed_lease_expires_after_the_configured_time(
    make_sim_connection, settings
):
    _, connection = make_sim_connection("Claimed")
    before = timezone.now()

    held = lease._claim(connection.pk)

    stored = reread(connection)
    assert stored.refresh_lease_id == held
    lasts = timedelta(seconds=settings.AAC_REFRESH_LEASE_SECONDS)
    assert before + lasts <= stored.refresh_lease_expires_at <= timezone.now() + lasts
