"""The workspace admin: write-only tokens, scoped lists, the two actions."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aacsim import Fault
from schedules.models import SyncRun
from tests.factories import add_member, make_user, make_workspace
from tests.workspaces.stored import raw_tokens, tokens
from workspaces.models import Membership, Workspace
from workspaces.tokens.lease import force_refresh

pytestmark = pytest.mark.django_db

State = Workspace.State
CHANGELIST = reverse("admin:workspaces_workspace_changelist")
MEMBERSHIPS = reverse("admin:workspaces_membership_changelist")


def change_url(workspace):
    return reverse("admin:workspaces_workspace_change", args=[workspace.pk])


def change_data(workspace, **changes):
    """What the change form posts, with the memberships inline empty."""
    data = {
        "name": workspace.name,
        "region": workspace.region,
        "is_active": "on",
        "client_id": workspace.client_id,
        "api_project_id": "",
        "refresh_token_lifetime_days": "",
        "new_access_token": "",
        "new_refresh_token": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(changes)
    return data


def act(client, action, *workspaces):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [w.pk for w in workspaces]},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def staff(username, *codenames):
    user = make_user(username)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_no_admin_page_shows_a_token(admin_client, aac_sim, make_sim_workspace):
    remote, workspace = make_sim_workspace("Secretive")
    secrets = list(tokens(workspace.pk))
    force_refresh(workspace)
    secrets += tokens(workspace.pk)
    pasted = aac_sim.sim.new_token_pair(remote.id)
    secrets += [pasted.access_token, pasted.refresh_token]

    pages = [
        admin_client.post(
            change_url(workspace),
            change_data(
                workspace,
                new_access_token=pasted.access_token,
                new_refresh_token=pasted.refresh_token,
            ),
        ),
        admin_client.post(
            change_url(workspace),
            change_data(
                workspace,
                new_access_token=f"{pasted.access_token} x",
                new_refresh_token=pasted.refresh_token,
            ),
        ),
        admin_client.get(CHANGELIST),
        admin_client.get(change_url(workspace)),
        admin_client.get(
            reverse("admin:workspaces_workspace_history", args=[workspace.pk])
        ),
        admin_client.get(
            reverse("admin:workspaces_workspace_delete", args=[workspace.pk])
        ),
        admin_client.get(reverse("admin:workspaces_workspace_add")),
        admin_client.get(reverse("admin:index")),
    ]
    secrets += raw_tokens(workspace.pk)

    assert tokens(workspace.pk) == (pasted.access_token, pasted.refresh_token)
    for page in pages:
        html = page.content.decode()
        assert page.status_code in (200, 302)
        assert not [s for s in secrets if s in html]
    entry = LogEntry.objects.get(object_id=str(workspace.pk))
    assert "tokens (new pair pasted)" in entry.get_change_message()
    assert not [s for s in secrets if s in entry.change_message]


def test_the_change_form_renders_token_inputs_empty(admin_client, make_sim_workspace):
    _, workspace = make_sim_workspace("Empty inputs")

    html = admin_client.get(change_url(workspace)).content.decode()

    for name in ("new_access_token", "new_refresh_token"):
        field = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="password"' in field
        assert "value=" not in field


def test_blank_token_fields_keep_the_stored_pair(admin_client, make_sim_workspace):
    _, workspace = make_sim_workspace("Renamed in the admin")
    before = tokens(workspace.pk)

    response = admin_client.post(
        change_url(workspace), change_data(workspace, name="Renamed")
    )

    assert response.status_code == 302
    assert Workspace.objects.get(pk=workspace.pk).name == "Renamed"
    assert tokens(workspace.pk) == before


def test_a_bad_paste_names_the_field_and_keeps_the_stored_pair(
    admin_client, make_sim_workspace
):
    _, workspace = make_sim_workspace("Bad paste")
    before = tokens(workspace.pk)

    response = admin_client.post(
        change_url(workspace),
        change_data(workspace, new_access_token="   ", new_refresh_token="rt-x"),
    )

    assert response.status_code == 200
    assert "Access token: only whitespace was pasted." in response.content.decode()
    assert tokens(workspace.pk) == before


def test_an_opaque_access_token_is_accepted_with_a_warning(admin_client):
    response = admin_client.post(
        reverse("admin:workspaces_workspace_add"),
        change_data(
            Workspace(name="Opaque", region="eu1"),
            new_access_token="opaque-token",
            new_refresh_token="rt-opaque",
        ),
        follow=True,
    )

    assert any("accepted as opaque" in m for m in messages_of(response))
    workspace = Workspace.objects.get(name="Opaque")
    assert tokens(workspace.pk) == ("opaque-token", "rt-opaque")


def test_a_new_pair_brings_a_locked_out_workspace_back_to_ok(
    admin_client, aac_sim, make_sim_workspace
):
    remote, workspace = make_sim_workspace("Locked out")
    aac_sim.sim.refresh(tokens(workspace.pk)[1], client_id=remote.client_id)
    with pytest.raises(Exception, match="does not exist"):
        force_refresh(workspace)
    assert Workspace.objects.get(pk=workspace.pk).state == State.NEEDS_REAUTH
    pair = aac_sim.sim.new_token_pair(remote.id)

    admin_client.post(
        change_url(workspace),
        change_data(
            workspace,
            new_access_token=pair.access_token,
            new_refresh_token=pair.refresh_token,
        ),
    )
    assert Workspace.objects.get(pk=workspace.pk).state == State.NEW
    response = act(admin_client, "test_connection_action", workspace)

    assert Workspace.objects.get(pk=workspace.pk).state == State.OK
    assert (
        f"Locked out: Connected to AAC workspace 'Locked out' (id {remote.id})."
        in messages_of(response)
    )


def test_test_connection_reports_each_workspace(
    admin_client, aac_sim, make_sim_workspace, settings
):
    settings.AAC_GET_ATTEMPTS = 1
    good_remote, good = make_sim_workspace("Good")
    bad_remote, bad = make_sim_workspace("Bad")
    aac_sim.sim.faults.add(
        Fault(kind="status", status=503, workspace=bad_remote.id, endpoint="*")
    )

    response = act(admin_client, "test_connection_action", good, bad)

    shown = messages_of(response)
    assert f"Good: Connected to AAC workspace 'Good' (id {good_remote.id})." in shown
    assert any(
        m.startswith("Bad: Connection test failed: GET /v4/workspaces/current: 503")
        for m in shown
    )
    assert Workspace.objects.get(pk=good.pk).aac_gid == good_remote.gid
    assert Workspace.objects.get(pk=bad.pk).state == State.ERROR


def test_refresh_tokens_now_is_queued_after_commit(
    admin_client, make_sim_workspace, django_capture_on_commit_callbacks
):
    _, workspace = make_sim_workspace("Queued refresh")
    locked = make_workspace("Locked", state=State.NEEDS_REAUTH, state_reason="Why.")

    with django_capture_on_commit_callbacks() as callbacks:
        response = act(admin_client, "refresh_tokens_action", workspace, locked)

    assert len(callbacks) == 1
    shown = messages_of(response)
    assert "Locked: not queued, it needs re-authorisation: Why." in shown
    assert (
        "Token refresh queued for Queued refresh; the state column shows the outcome."
        in shown
    )


@pytest.mark.django_db(transaction=True)
def test_refresh_tokens_now_with_the_broker_down_says_so(
    admin_client, make_sim_workspace, broker_down
):
    _, workspace = make_sim_workspace("Broker down")
    before = Workspace.objects.get(pk=workspace.pk)

    response = act(admin_client, "refresh_tokens_action", workspace)

    assert messages_of(response) == ["Nothing queued: background queue unavailable."]
    after = Workspace.objects.get(pk=workspace.pk)
    assert (after.state, after.state_reason) == (before.state, before.state_reason)


def test_the_list_shows_state_tokens_and_last_sync(admin_client):
    now = timezone.now()
    healthy = make_workspace(
        "Healthy",
        access_token_expires_at=now + timedelta(minutes=50),
        refresh_token_issued_at=now - timedelta(days=10),
        refresh_token_lifetime_days=30,
    )
    SyncRun.objects.create(
        workspace=healthy, trigger="beat", status="failed", finished_at=now
    )
    SyncRun.objects.create(
        workspace=healthy, trigger="beat", status="succeeded", finished_at=now
    )
    make_workspace(
        "Dying",
        state=State.NEEDS_REAUTH,
        state_reason="AAC refused the refresh token.",
        refresh_token_issued_at=now - timedelta(days=25),
        refresh_token_lifetime_days=30,
    )

    html = admin_client.get(CHANGELIST).content.decode()

    assert 'class="ws-badge ws-badge-ok"' in html
    assert 'title="AAC refused the refresh token."' in html
    assert ">Needs re-authorisation</span>" in html
    assert "in 49\xa0minutes" in html or "in 50\xa0minutes" in html
    assert "unknown (refreshed on first use)" in html
    assert re.search(r'<span class="ws-warn">expires in 4\xa0days', html)
    assert re.search(r"pasted 1\xa0week, 3\xa0days ago; expires in 2\xa0weeks", html)
    assert 'ws-badge-succeeded" title="">Succeeded</span>' in html
    assert "css/admin.css" in html
    assert not re.search(r"<span[^>]*ws-badge[^>]*style=", html)


def test_the_list_costs_the_same_queries_for_one_workspace_or_many(admin_client):
    def build(n):
        for i in range(n):
            workspace = make_workspace(f"Counted {n}-{i}")
            SyncRun.objects.create(workspace=workspace, trigger="beat")

    build(1)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(CHANGELIST)
    build(6)
    with CaptureQueriesContext(connection) as seven:
        admin_client.get(CHANGELIST)

    assert len(seven) == len(one)


def test_staff_see_only_their_workspaces(client):
    bob = staff("bob", "view_workspace", "change_workspace", "view_membership")
    mine, viewed, other = (make_workspace(n) for n in ("Mine", "Viewed", "Other"))
    add_member(bob, mine, Membership.Role.OPERATOR)
    add_member(bob, viewed, Membership.Role.VIEWER)
    add_member(make_user("carol"), other, Membership.Role.OPERATOR)
    client.force_login(bob)

    html = client.get(CHANGELIST).content.decode()
    assert "Mine" in html
    assert "Viewed" in html
    assert "Other" not in html
    assert client.get(change_url(other)).status_code == 302
    memberships = client.get(MEMBERSHIPS).content.decode()
    assert "carol" not in memberships
    assert "Other" not in memberships

    response = act(client, "test_connection_action", viewed)
    assert messages_of(response) == ["Viewed: you may only view it."]
    assert client.post(change_url(viewed), change_data(viewed)).status_code == 403


def test_only_superusers_change_memberships(client):
    bob = staff("bob", "view_membership", "add_membership", "change_membership")
    workspace = make_workspace("Shared")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    client.force_login(bob)

    assert client.get(reverse("admin:workspaces_membership_add")).status_code == 403
