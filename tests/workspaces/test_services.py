"""Registering a workspace and testing its connection (simulator, real HTTP)."""

import pytest
from django.core.exceptions import ValidationError

from aacsim import Fault
from tests.workspaces.stored import raw_tokens, tokens
from workspaces import services
from workspaces.models import Workspace
from workspaces.services import register_workspace
from workspaces.tokens.pasted import store_pasted_tokens

pytestmark = pytest.mark.django_db

State = Workspace.State


def test_register_workspace_stores_the_pair_encrypted(aac_sim):
    remote = aac_sim.sim.add_workspace(name="Registered", schedules=1)
    pair = aac_sim.sim.new_token_pair(remote.id)

    workspace = register_workspace(
        name="Registered",
        region="sim",
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        refresh_token_lifetime_days=90,
    )

    assert tokens(workspace.pk) == (pair.access_token, pair.refresh_token)
    assert pair.refresh_token not in "".join(raw_tokens(workspace.pk))
    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.client_id, stored.state) == (remote.client_id, State.NEW)
    assert stored.refresh_token_lifetime_days == 90


def test_register_workspace_refuses_a_bad_paste_and_creates_nothing(aac_sim):
    with pytest.raises(ValidationError) as caught:
        register_workspace(
            name="Bad paste", region="sim", access_token="a b", refresh_token="rt"
        )

    assert "Access token: contains spaces" in str(caught.value)
    assert not Workspace.objects.exists()


def test_test_connection_stores_what_aac_says_about_the_workspace(
    make_sim_workspace,
):
    remote, workspace = make_sim_workspace("Identity")

    result = services.test_connection(workspace)

    assert result == {
        "ok": True,
        "message": f"Connected to AAC workspace 'Identity' (id {remote.id}).",
    }
    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.aac_workspace_id, stored.aac_gid, stored.aac_name) == (
        str(remote.id),
        remote.gid,
        "Identity",
    )
    assert stored.state == State.OK


def test_test_connection_reports_the_exact_failure(
    aac_sim, make_sim_workspace, settings
):
    settings.AAC_GET_ATTEMPTS = 1
    remote, workspace = make_sim_workspace("Failing")
    aac_sim.sim.faults.add(
        Fault(kind="html", workspace=remote.id, endpoint="workspaces.current")
    )

    result = services.test_connection(workspace)

    assert result["ok"] is False
    assert "GET /v4/workspaces/current" in result["message"]
    assert "not JSON (text/html" in result["message"]
    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.state, stored.state_reason) == (State.ERROR, result["message"])


def test_test_connection_reports_a_workspace_needing_reauthorisation(
    aac_sim, make_sim_workspace, sim_stats
):
    remote, workspace = make_sim_workspace("Locked")
    aac_sim.sim.refresh(tokens(workspace.pk)[1], client_id=remote.client_id)
    aac_sim.sim.faults.add(
        Fault(kind="status", status=401, workspace=remote.id, endpoint="*", times=1)
    )

    result = services.test_connection(workspace)

    assert result["ok"] is False
    assert "AAC refused the refresh token" in result["message"]
    assert "OAuth 2.0 API Tokens" in result["message"]
    assert Workspace.objects.get(pk=workspace.pk).state == State.NEEDS_REAUTH


def test_a_new_pair_brings_a_workspace_needing_reauthorisation_back_to_ok(
    aac_sim, make_sim_workspace
):
    remote, workspace = make_sim_workspace("Fixed by a new pair")
    workspace.set_state(State.NEEDS_REAUTH, "AAC refused the refresh token.")
    pair = aac_sim.sim.new_token_pair(remote.id)

    store_pasted_tokens(
        workspace, access_token=pair.access_token, refresh_token=pair.refresh_token
    )
    assert Workspace.objects.get(pk=workspace.pk).state == State.NEW

    assert services.test_connection(workspace)["ok"]
    assert Workspace.objects.get(pk=workspace.pk).state == State.OK


def test_test_connection_refuses_a_token_of_another_aac_workspace(
    aac_sim, make_sim_workspace
):
    remote, workspace = make_sim_workspace("Original")
    assert services.test_connection(workspace)["ok"]
    other = aac_sim.sim.add_workspace(name="Someone else's", schedules=1)
    pair = aac_sim.sim.new_token_pair(other.id)
    # An opaque copy of the other workspace's token passes the paste checks.
    Workspace.objects.filter(pk=workspace.pk).update(access_token=pair.access_token)

    result = services.test_connection(Workspace.objects.get(pk=workspace.pk))

    assert result["ok"] is False
    assert "Someone else's" in result["message"]
    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.state, stored.aac_gid) == (State.ERROR, remote.gid)
