"""Every existing button and admin change writes its row: who, where, how it ended."""

from django.urls import reverse

from activity.models import Entry
from schedules.models import SyncRun
from tests.factories import make_run
from tests.pages.requests import press
from tests.workspaces.test_admin import workspace_data


def last() -> Entry:
    return Entry.objects.exclude(action="login").latest("id")


def test_a_resync_press_is_recorded_as_queued(login, world):
    press(login(world.bob), "workspace_sync", world.acme.pk)
    entry = last()
    assert (entry.action, entry.outcome, entry.username) == ("resync", "queued", "bob")
    assert (entry.workspace_id, entry.workspace_name) == (world.acme.pk, "Acme EU")
    assert entry.message == f"Sync {SyncRun.objects.get().pk} queued."


def test_a_refused_resync_is_recorded_with_the_reason(login, world):
    make_run(world.acme, status="running")
    press(login(world.bob), "workspace_sync", world.acme.pk)
    entry = last()
    assert (entry.action, entry.outcome) == ("resync", "refused")
    assert "already running" in entry.message


def test_a_viewers_refused_press_writes_nothing(login, world):
    response = press(login(world.carol), "workspace_sync", world.acme.pk)
    assert response.status_code == 403
    assert not Entry.objects.exclude(action="login").exists()


def test_connection_test_and_refresh_presses_are_recorded(login, world):
    connection = world.acme.connections.get()
    client = login(world.bob)
    press(client, "connection_test", connection.pk)
    press(client, "connection_refresh", connection.pk)
    rows = Entry.objects.exclude(action="login").order_by("id")
    assert [(e.action, e.outcome, e.target_kind) for e in rows] == [
        ("test_connection", "queued", "connection"),
        ("refresh_tokens", "queued", "connection"),
    ]


def test_removing_a_connection_is_recorded(login, world):
    connection = world.acme.connections.get()
    press(login(world.alice), "connection_remove", connection.pk)
    entry = last()
    assert (entry.action, entry.outcome, entry.target_id) == (
        "connection_removed",
        "succeeded",
        str(connection.pk),
    )


def test_admin_changes_of_workspaces_and_memberships_are_recorded(login, world):
    client = login(world.alice)
    client.post(
        reverse("admin:workspaces_membership_add"),
        {"user": world.charlie.pk, "workspace": world.acme.pk, "role": "viewer"},
    )
    entry = last()
    assert (entry.action, entry.username, entry.workspace_name) == (
        "membership_changed",
        "alice",
        "Acme EU",
    )
    assert entry.message == "Added in the admin."
    globex_id = world.globex.pk
    url = reverse("admin:workspaces_workspace_delete", args=[globex_id])
    assert client.post(url, {"post": "yes"}).status_code == 302
    entry = last()
    assert (entry.action, entry.workspace_id, entry.workspace_name) == (
        "workspace_deleted",
        globex_id,
        "Globex US",
    )


def test_admin_connection_actions_are_recorded(login, world):
    client = login(world.alice)
    client.post(
        reverse("admin:workspaces_connection_changelist"),
        {
            "action": "test_connection_action",
            "_selected_action": [world.acme.connections.get().pk],
        },
    )
    entry = last()
    assert (entry.action, entry.outcome) == ("test_connection", "queued")
    assert entry.message.endswith("admin.")


def test_a_membership_added_on_the_workspaces_admin_page_is_recorded(login, world):
    data = workspace_data(
        world.acme,
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-user": world.charlie.pk,
            "memberships-0-role": "operator",
        },
    )
    url = reverse("admin:workspaces_workspace_change", args=[world.acme.pk])
    response = login(world.alice).post(url, data)
    assert response.status_code == 302
    entry = last()
    assert (entry.action, entry.workspace_name, entry.message) == (
        "membership_changed",
        "Acme EU",
        "Added in the admin.",
    )
    assert "charlie" in entry.target_name
