"""The workspace and connection admin: write-only tokens, scoped lists, actions
that queue, pages that open whatever the key, deletions that work."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aacsim import Fault
from schedules.models import Schedule, SyncRun
from tests.factories import (
    add_member,
    make_connection,
    make_run,
    make_schedules,
    make_user,
    make_workspace,
)
from tests.schedules.conftest import active_person
from tests.workspaces.stored import raw_tokens, reread, tokens
from workspaces.models import Connection, ConnectionTask, Membership, Workspace
from workspaces.tasks import run_connection_task
from workspaces.tokens.lease import force_refresh

pytestmark = pytest.mark.django_db

State = Connection.State
WORKSPACES = reverse("admin:workspaces_workspace_changelist")
CONNECTIONS = reverse("admin:workspaces_connection_changelist")
MEMBERSHIPS = reverse("admin:workspaces_membership_changelist")


def admin_url(model: str, view: str, *args) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_{view}", args=args)


def workspace_data(workspace, **changes):
    """What the workspace change form posts, with the memberships inline empty."""
    data = {
        "name": workspace.name,
        "region": workspace.region,
        "is_active": "on",
        "api_project_id": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "connections-TOTAL_FORMS": "0",
        "connections-INITIAL_FORMS": "0",
        "connections-MIN_NUM_FORMS": "0",
        "connections-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(changes)
    return data


def connection_data(connection=None, **changes):
    data = {
        "client_id": connection.client_id if connection else "",
        "refresh_token_lifetime_days": "",
        "new_access_token": "",
        "new_refresh_token": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def change_url(connection):
    return admin_url("workspaces.connection", "change", connection.pk)


def act(client, changelist, action, *objects):
    return client.post(
        changelist,
        {"action": action, "_selected_action": [o.pk for o in objects]},
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


def run_queued_tasks():
    for task in ConnectionTask.objects.filter(status="queued"):
        run_connection_task(task.pk)


def test_no_admin_page_shows_a_token(admin_client, aac_sim, make_sim_connection):
    remote, connection = make_sim_connection("Secretive")
    secrets = list(tokens(connection.pk))
    force_refresh(connection)
    secrets += tokens(connection.pk)
    pasted = aac_sim.sim.new_token_pair(remote.id)
    secrets += [pasted.access_token, pasted.refresh_token]
    workspace = connection.workspace

    pages = [
        admin_client.post(
            change_url(connection),
            connection_data(
                connection,
                new_access_token=pasted.access_token,
                new_refresh_token=pasted.refresh_token,
            ),
        ),
        admin_client.post(
            change_url(connection),
            connection_data(
                connection,
                new_access_token=f"{pasted.access_token} x",
                new_refresh_token=pasted.refresh_token,
            ),
        ),
        admin_client.get(CONNECTIONS),
        admin_client.get(change_url(connection)),
        admin_client.get(admin_url("workspaces.connection", "history", connection.pk)),
        admin_client.get(admin_url("workspaces.connection", "delete", connection.pk)),
        admin_client.get(admin_url("workspaces.connection", "add")),
        admin_client.get(WORKSPACES),
        admin_client.get(admin_url("workspaces.workspace", "change", workspace.pk)),
        admin_client.get(admin_url("workspaces.workspace", "delete", workspace.pk)),
        admin_client.get(admin_url("workspaces.workspace", "add")),
        admin_client.get(reverse("admin:index")),
    ]
    secrets += raw_tokens(connection.pk)

    assert tokens(connection.pk) == (pasted.access_token, pasted.refresh_token)
    for page in pages:
        html = page.content.decode()
        assert page.status_code in (200, 302)
        assert not [s for s in secrets if s in html]
    # Those pages are the connection's own, not empty or broken ones.
    shown = [page.content.decode() for page in pages if page.status_code == 200]
    assert sum(workspace.name in html for html in shown) >= 6
    entry = LogEntry.objects.get(object_id=str(connection.pk))
    assert "tokens (new pair pasted)" in entry.get_change_message()
    assert not [s for s in secrets if s in entry.change_message]


def test_the_change_form_renders_token_inputs_empty(admin_client, make_sim_connection):
    _, connection = make_sim_connection("Empty inputs")

    html = admin_client.get(change_url(connection)).content.decode()

    for name in ("new_access_token", "new_refresh_token"):
        field = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="password"' in field
        assert "value=" not in field


def test_blank_token_fields_keep_the_stored_pair(admin_client, make_sim_connection):
    _, connection = make_sim_connection("Edited in the admin")
    before = tokens(connection.pk)

    response = admin_client.post(
        change_url(connection), connection_data(connection, client_id="edited")
    )

    assert response.status_code == 302
    assert reread(connection).client_id == "edited"
    assert tokens(connection.pk) == before


def test_a_bad_paste_names_the_field_and_keeps_the_stored_pair(
    admin_client, make_sim_connection
):
    _, connection = make_sim_connection("Bad paste")
    before = tokens(connection.pk)

    response = admin_client.post(
        change_url(connection),
        connection_data(connection, new_access_token="   ", new_refresh_token="rt-x"),
    )

    assert response.status_code == 200
    assert "Access token: only whitespace was pasted." in response.content.decode()
    assert tokens(connection.pk) == before


def test_a_workspace_is_added_with_its_first_connection(admin_client, admin_user):
    response = admin_client.post(
        admin_url("workspaces.workspace", "add"),
        workspace_data(
            Workspace(name="Opaque", region="eu1"),
            new_access_token="opaque-token",
            new_refresh_token="rt-opaque",
            client_id="client-1",
            refresh_token_lifetime_days="90",
        ),
        follow=True,
    )

    assert any("accepted as opaque" in m for m in messages_of(response))
    connection = Workspace.objects.get(name="Opaque").connections.get()
    assert tokens(connection.pk) == ("opaque-token", "rt-opaque")
    assert (connection.client_id, connection.added_by) == ("client-1", admin_user)


def test_a_second_connection_is_added_in_the_admin(
    admin_client, aac_sim, make_sim_connection
):
    remote, first = make_sim_connection("Two people", people=5)
    pair = aac_sim.sim.new_token_pair(remote.id, person_id=active_person(remote))

    response = admin_client.post(
        admin_url("workspaces.connection", "add"),
        connection_data(
            workspace=first.workspace_id,
            new_access_token=pair.access_token,
            new_refresh_token=pair.refresh_token,
        ),
    )

    assert response.status_code == 302, response.content.decode()[-2000:]
    second = Connection.objects.exclude(pk=first.pk).get()
    assert (second.workspace_id, second.slot) == (first.workspace_id, 1)
    assert tokens(second.pk) == (pair.access_token, pair.refresh_token)
    assert LogEntry.objects.filter(object_id=str(second.pk)).exists()


def test_a_new_pair_brings_a_locked_out_connection_back_to_ok(
    admin_client, aac_sim, make_sim_connection
):
    remote, connection = make_sim_connection("Locked out")
    aac_sim.sim.refresh(tokens(connection.pk)[1], client_id=remote.client_id)
    with pytest.raises(Exception, match="does not exist"):
        force_refresh(connection)
    assert reread(connection).state == State.NEEDS_REAUTH
    pair = aac_sim.sim.new_token_pair(remote.id)

    response = admin_client.post(
        change_url(connection),
        connection_data(
            connection,
            new_access_token=pair.access_token,
            new_refresh_token=pair.refresh_token,
        ),
        follow=True,
    )
    assert reread(connection).state == State.NEW
    # Saving the pair tested it, and queued a sync through it.
    assert any("the connection is being tested" in m for m in messages_of(response))
    run_queued_tasks()

    assert reread(connection).state == State.OK
    task = ConnectionTask.objects.get(connection=connection)
    assert task.message.startswith(
        f"Connected to AAC workspace 'Locked out' (id {remote.id})"
    )


def test_test_connection_answers_at_once_however_slow_aac_is(
    admin_client, aac_sim, make_sim_connection, sim_stats
):
    """A hung AAC never holds the admin's request: the test is a task."""
    remote, connection = make_sim_connection("Hung token server")
    aac_sim.sim.faults.add(Fault(kind="latency", seconds=5, workspace=remote.id))
    requests_before = sim_stats.total()

    started = time.monotonic()
    for view, action in (
        (CONNECTIONS, "test_connection_action"),
        (CONNECTIONS, "refresh_tokens_action"),
        (WORKSPACES, "test_connections_action"),
    ):
        target = connection.workspace if view == WORKSPACES else connection
        act(admin_client, view, action, target)
    took = time.monotonic() - started

    assert took < 2
    assert sim_stats.total() == requests_before
    queued = ConnectionTask.objects.filter(connection=connection, status="queued")
    assert sorted(queued.values_list("action", flat=True)) == ["refresh", "test"]


def test_refresh_tokens_now_is_queued_after_commit_and_says_why_not(
    admin_client, make_sim_connection, django_capture_on_commit_callbacks
):
    _, connection = make_sim_connection("Queued refresh")
    locked = make_workspace(
        "Locked", state=State.NEEDS_REAUTH, state_reason="Why."
    ).connections.get()

    with django_capture_on_commit_callbacks() as callbacks:
        response = act(
            admin_client, CONNECTIONS, "refresh_tokens_action", connection, locked
        )

    assert len(callbacks) == 1
    shown = " ".join(messages_of(response))
    assert "Not queued: connection 1 needs re-authorisation: Why." in shown
    assert "Refresh tokens queued" in shown


@pytest.mark.django_db(transaction=True)
def test_refresh_tokens_now_with_the_broker_down_says_so(
    admin_client, make_sim_connection, broker_down
):
    _, connection = make_sim_connection("Broker down")
    before = reread(connection)

    response = act(admin_client, CONNECTIONS, "refresh_tokens_action", connection)

    assert messages_of(response) == [
        "Nothing more queued: background queue unavailable."
    ]
    after = reread(connection)
    assert (after.state, after.state_reason) == (before.state, before.state_reason)
    assert not ConnectionTask.objects.exists()


def test_the_lists_show_state_tokens_and_last_sync(admin_client):
    now = timezone.now()
    healthy = make_workspace(
        "Healthy",
        access_token_expires_at=now + timedelta(minutes=50),
        refresh_token_issued_at=now - timedelta(days=10),
        refresh_token_lifetime_days=30,
    )
    make_run(healthy, status="failed", finished_at=now)
    make_run(healthy, status="succeeded", finished_at=now)
    make_workspace(
        "Dying",
        state=State.NEEDS_REAUTH,
        state_reason="AAC refused the refresh token.",
        refresh_token_issued_at=now - timedelta(days=25),
        refresh_token_lifetime_days=30,
    )
    make_workspace("Unconnected", connection=False)

    workspaces = admin_client.get(WORKSPACES).content.decode()
    connections = admin_client.get(CONNECTIONS).content.decode()

    assert 'class="ws-badge ws-badge-ok"' in workspaces
    assert 'title="AAC refused the refresh token."' in workspaces
    assert ">Needs re-authorisation</span>" in workspaces
    assert ">No connection</span>" in workspaces
    assert 'ws-badge-succeeded" title="">Succeeded</span>' in workspaces
    assert "css/admin.css" in workspaces
    assert "in 49\xa0minutes" in connections or "in 50\xa0minutes" in connections
    assert re.search(r'<span class="ws-warn">expires in 4\xa0days', connections)
    assert re.search(
        r"pasted 1\xa0week, 3\xa0days ago; expires in 2\xa0weeks", connections
    )
    assert not re.search(r"<span[^>]*ws-badge[^>]*style=", workspaces + connections)


@pytest.mark.parametrize("changelist", [WORKSPACES, CONNECTIONS])
def test_the_lists_cost_the_same_queries_for_one_workspace_or_many(
    admin_client, changelist
):
    def build(n):
        for i in range(n):
            workspace = make_workspace(f"Counted {n}-{i}")
            make_connection(workspace)
            make_run(workspace)

    build(1)
    with CaptureQueriesContext(db) as one:
        admin_client.get(changelist)
    build(6)
    with CaptureQueriesContext(db) as seven:
        admin_client.get(changelist)

    assert len(seven) == len(one)


def test_staff_see_only_their_workspaces_and_connections(client):
    bob = staff(
        "bob",
        "view_workspace",
        "change_workspace",
        "view_membership",
        "view_connection",
        "change_connection",
    )
    mine, viewed, other = (make_workspace(n) for n in ("Mine", "Viewed", "Other"))
    add_member(bob, mine, Membership.Role.OPERATOR)
    add_member(bob, viewed, Membership.Role.VIEWER)
    add_member(make_user("carol"), other, Membership.Role.OPERATOR)
    client.force_login(bob)

    for changelist in (WORKSPACES, CONNECTIONS):
        html = client.get(changelist).content.decode()
        assert "Mine" in html
        assert "Viewed" in html
        assert "Other" not in html
    assert client.get(change_url(other.connections.get())).status_code == 302
    memberships = client.get(MEMBERSHIPS).content.decode()
    assert "carol" not in memberships
    assert "Other" not in memberships
    assert "Mine" in memberships

    response = act(
        client, CONNECTIONS, "test_connection_action", viewed.connections.get()
    )
    assert messages_of(response) == ["connection 1 in Viewed: you may only view it."]
    assert (
        client.post(
            admin_url("workspaces.workspace", "change", viewed.pk),
            workspace_data(viewed),
        ).status_code
        == 403
    )


def test_only_superusers_change_memberships(client):
    bob = staff("bob", "view_membership", "add_membership", "change_membership")
    workspace = make_workspace("Shared")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    client.force_login(bob)

    assert client.get(reverse("admin:workspaces_membership_add")).status_code == 403


def test_a_wrong_key_breaks_no_admin_page_and_the_pair_can_be_replaced(
    admin_client, aac_sim, make_sim_connection, use_keys, new_key
):
    """Only the token code decrypts: with a key that cannot read the stored
    tokens every page opens, says so, and offers to paste a new pair."""
    remote, connection = make_sim_connection("Wrong key")
    workspace = connection.workspace
    make_schedules(workspace, 3)
    run = make_run(workspace, status="succeeded")
    membership = add_member(make_user("carol"), workspace)
    task = ConnectionTask.objects.create(connection=connection, action="test")
    use_keys(new_key())

    pages = {
        url: admin_client.get(url)
        for url in [
            MEMBERSHIPS,
            admin_url("workspaces.membership", "change", membership.pk),
            reverse("admin:schedules_schedule_changelist"),
            admin_url("schedules.schedule", "change", Schedule.objects.first().pk),
            reverse("admin:schedules_syncrun_changelist"),
            admin_url("schedules.syncrun", "change", run.pk),
            WORKSPACES,
            admin_url("workspaces.workspace", "change", workspace.pk),
            admin_url("workspaces.workspace", "delete", workspace.pk),
            CONNECTIONS,
            change_url(connection),
            admin_url("workspaces.connection", "delete", connection.pk),
            reverse("admin:workspaces_connectiontask_changelist"),
            admin_url("workspaces.connectiontask", "change", task.pk),
        ]
    }

    assert {url: page.status_code for url, page in pages.items()} == {
        url: 200 for url in pages
    }
    for url in (
        admin_url("workspaces.workspace", "change", workspace.pk),
        change_url(connection),
    ):
        assert (
            "cannot be read with FIELD_ENCRYPTION_KEYS" in pages[url].content.decode()
        )
    assert 'name="new_access_token"' in pages[change_url(connection)].content.decode()
    pair = aac_sim.sim.new_token_pair(remote.id)
    response = admin_client.post(
        change_url(connection),
        connection_data(
            connection,
            new_access_token=pair.access_token,
            new_refresh_token=pair.refresh_token,
        ),
    )
    assert response.status_code == 302
    assert tokens(connection.pk) == (pair.access_token, pair.refresh_token)


def test_a_synced_workspace_can_be_deleted_with_its_cache(admin_client):
    workspace = make_workspace("Synced")
    make_schedules(workspace, 120)
    make_run(workspace, status="succeeded")
    ConnectionTask.objects.create(connection=workspace.connections.get(), action="test")
    url = admin_url("workspaces.workspace", "delete", workspace.pk)

    confirmation = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})

    html = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "120 schedules" in html
    assert "permission to delete" not in html
    assert response.status_code == 302
    assert not Workspace.objects.exists()
    assert not Schedule.objects.exists()
    assert not SyncRun.objects.exists()
    assert not Connection.objects.exists()


def test_removing_a_connection_in_the_admin_removes_only_its_rows(admin_client):
    workspace = make_workspace("Shared view")
    second = make_connection(workspace)
    make_schedules(workspace, 10)  # listed by the first connection (bit 1)
    Schedule.objects.filter(aac_id__lte=4).update(seen_by=1 | second.bit)
    Schedule.objects.filter(aac_id__gte=9).update(seen_by=second.bit)

    url = admin_url("workspaces.connection", "delete", second.pk)
    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Connection.objects.filter(pk=second.pk).exists()
    assert sorted(Schedule.objects.values_list("aac_id", flat=True)) == list(
        range(1, 9)
    )
    assert set(Schedule.objects.values_list("seen_by", flat=True)) == {1}
