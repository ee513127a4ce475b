"""Registering a workspace and testing a connection (simulator, real HTTP)."""

import pytest
from django.core.exceptions import ValidationError

from aacsim import Fault
from tests.workspaces.stored import raw_tokens, reread, tokens
from workspaces import services
from workspaces.models import Connection, Workspace
from workspaces.services import register_workspace
from workspaces.tokens.pasted import store_pasted_tokens

pytestmark = pytest.mark.django_db

State = Connection.State


def test_register_workspace_stores_the_pair_encrypted_in_its_first_connection(
    aac_sim,
):
    remote = aac_sim.sim.add_workspace(name="Registered", schedules=1)
    pair = aac_sim.sim.new_token_pair(remote.id)

    workspace = register_workspace(
        name="Registered",
        region="sim",
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        refresh_token_lifetime_days=90,
    )

    connection = workspace.connections.get()
    assert tokens(connection.pk) == (pair.access_token, pair.refresh_token)
    assert pair.refresh_token not in "".join(raw_tokens(connection.pk))
    stored = reread(connection)
    assert (stored.client_id, stored.state, stored.slot) == (
        remote.client_id,
        State.NEW,
        0,
    )
    assert stored.refresh_token_lifetime_days == 90
    assert stored.aac_person_id == str(remote.people[0]["id"])
    # The token's workspace scope names the AAC workspace at once.
    assert Workspace.objects.get(pk=workspace.pk).aac_gid == remote.gid


def test_register_workspace_refuses_a_bad_paste_and_creates_nothing(aac_sim):
    with pytest.raises(ValidationError) as caught:
        register_workspace(
            name="Bad paste", region="sim", access_token="a b", refresh_token="rt"
        )

    assert "Access token: contains spaces" in str(caught.value)
    assert not Workspace.objects.exists()
    assert not Connection.objects.exists()


def test_test_connection_stores_what_aac_says_about_the_workspace(
    make_sim_connection,
):
    remote, connection = make_sim_connection("Identity")

    ok, message = services.test_connection(connection)

    person = remote.people[0]["id"]
    assert ok
    assert message == (
        f"Connected to AAC workspace 'Identity' (id {remote.id}) as AAC person "
        f"{person}."
    )
    workspace = Workspace.objects.get(pk=connection.workspace_id)
    assert (workspace.aac_workspace_id, workspace.aac_gid, workspace.aac_name) == (
        str(remote.id),
        remote.gid,
        "Identity",
    )
    assert reread(connection).state == State.OK


def test_test_connection_reports_the_exact_failure(
    aac_sim, make_sim_connection, settings
):
    settings.AAC_GET_ATTEMPTS = 1
    remote, connection = make_sim_connection("Failing")
    aac_sim.sim.faults.add(
        Fault(kind="html", workspace=remote.id, endpoint="workspaces.current")
    )

    ok, message = services.test_connection(connection)

    assert not ok
    assert "GET /v4/workspaces/current" in message
    assert "not JSON (text/html" in message
    stored = reread(connection)
    assert (stored.state, stored.state_reason) == (State.ERROR, message)


def test_test_connection_reports_a_connection_needing_reauthorisation(
    aac_sim, make_sim_connection, sim_stats
):
    remote, connection = make_sim_connection("Locked")
    aac_sim.sim.refresh(tokens(connection.pk)[1], client_id=remote.client_id)
    aac_sim.sim.faults.add(
        Fault(kind="status", status=401, workspace=remote.id, endpoint="*", times=1)
    )

    ok, message = services.test_connection(connection)

    assert not ok
    assert "AAC refused the refresh token" in message
    assert "OAuth 2.0 API Tokens" in message
    assert reread(connection).state == State.NEEDS_REAUTH


def test_a_new_pair_brings_a_connection_needing_reauthorisation_back_to_ok(
    aac_sim, make_sim_connection
):
    remote, connection = make_sim_connection("Fixed by a new pair")
    connection.set_state(State.NEEDS_REAUTH, "AAC refused the refresh token.")
    pair = aac_sim.sim.new_token_pair(remote.id)

    store_pasted_tokens(
        connection, access_token=pair.access_token, refresh_token=pair.refresh_token
    )
    assert reread(connection).state == State.NEW

    assert services.test_connection(connection)[0]
    assert reread(connection).state == State.OK


def test_test_connection_refuses_a_token_of_another_aac_workspace(
    aac_sim, make_sim_connection
):
    remote, connection = make_sim_connection("Original")
    assert services.test_connection(connection)[0]
    other = aac_sim.sim.add_workspace(name="Someone else's", schedules=1)
    pair = aac_sim.sim.new_token_pair(other.id)
    # As if written by hand: pasting it is refused (test_forms.py).
    Connection.objects.filter(pk=connection.pk).update(access_token=pair.access_token)

    ok, message = services.test_connection(reread(connection))

    assert not ok
    assert "Someone else's" in message
    assert reread(connection).state == State.ERROR
    assert Workspace.objects.get(pk=connection.workspace_id).aac_gid == remote.gid


def test_test_connection_refuses_an_aac_workspace_the_portal_already_has(
    aac_sim, make_sim_connection
):
    """An opaque token carries no workspace: AAC's answer names it, and the portal
    has it already under another name (its schedules would count twice)."""
    remote, first = make_sim_connection("First")
    assert services.test_connection(first)[0]
    twin = Workspace.objects.create(name="Twin", region="sim")
    second = Connection.objects.create(workspace=twin, slot=0)
    # Another person, an active one: a disabled person gets no pair.
    other = next(p["id"] for p in remote.people[1:] if not p["isDisabled"])
    pair = aac_sim.sim.new_token_pair(remote.id, person_id=other)
    # As if pasted opaque: nothing in the paste said which AAC workspace it was.
    Connection.objects.filter(pk=second.pk).update(
        access_token=pair.access_token, refresh_token=pair.refresh_token
    )

    ok, message = services.test_connection(reread(second))

    assert not ok
    assert "which the portal already has as “First”" in message
    assert reread(second).state == State.ERROR
    assert Workspace.objects.get(pk=twin.pk).aac_gid == ""
