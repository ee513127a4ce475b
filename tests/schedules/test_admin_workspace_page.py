"""The workspace's admin pages: its truthful state, its change page's buttons, and
a new workspace tested and synced as soon as it is saved."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from schedules.models import SyncRun
from tests.factories import add_member, make_run, make_user
from tests.workspaces.test_admin import workspace_data
from workspaces.models import ConnectionTask, Membership, Workspace

pytestmark = pytest.mark.django_db

WORKSPACES = reverse("admin:workspaces_workspace_changelist")


def change_page(workspace) -> str:
    return reverse("admin:workspaces_workspace_change", args=[workspace.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_failing_workspace_is_red_in_the_list_and_on_its_page(admin_client, world):
    make_run(world.acme, status="succeeded")
    make_run(world.acme, status="failed", error_message="AAC answered 503")
    listed = admin_client.get(WORKSPACES).text
    page = admin_client.get(change_page(world.acme)).text
    for html in (listed, page):
        assert re.search(r'ws-badge-bad" title="AAC answered 503">Sync failing<', html)
    # The connection's own badge speaks of its tokens alone.
    assert re.search(r"<th[^>]*>\s*Tokens", page)
    assert "Data as of" in page
    assert "Next automatic sync" in page


def test_the_change_page_carries_the_buttons_for_whoever_operates_it(client, world):
    world.bob.is_staff = True
    world.bob.save()
    world.carol.is_staff = True
    world.carol.save()
    perms = Permission.objects.filter(
        codename__in=["view_workspace", "change_workspace"]
    )
    for user in (world.bob, world.carol):
        user.user_permissions.add(*perms)
    client.force_login(world.bob)
    page = client.get(change_page(world.acme)).text
    assert {"admin-test", "admin-refresh", "admin-resync"} <= set(
        re.findall(r'id="(admin-\w+)"', page)
    )
    client.force_login(world.carol)
    assert "admin-resync" not in client.get(change_page(world.acme)).text


def test_re_sync_on_the_change_page_queues_a_sync_and_comes_back(
    admin_client, admin_user, world, django_capture_on_commit_callbacks
):
    url = reverse("admin:workspaces_workspace_resync", args=[world.acme.pk])
    with django_capture_on_commit_callbacks() as published:
        response = admin_client.post(url, follow=True)
    assert response.redirect_chain == [(change_page(world.acme), 302)]
    assert messages_of(response) == ["Queued 1 sync(s)."]
    run = SyncRun.objects.get(workspace=world.acme)
    assert (run.trigger, run.requested_by) == ("admin", admin_user)
    assert len(published) == 1
    assert "Queued" in response.text  # "Latest sync" shows it


def test_test_connection_on_the_change_page_queues_each_connections_test(
    admin_client, world
):
    url = reverse("admin:workspaces_workspace_test", args=[world.acme.pk])
    response = admin_client.post(url, follow=True)
    task = ConnectionTask.objects.get(connection__workspace=world.acme)
    assert task.action == "test"
    assert any("Test connection queued" in m for m in messages_of(response))


def test_a_viewer_cannot_press_them(client, world):
    viewer = make_user("dora")
    viewer.is_staff = True
    viewer.save()
    add_member(viewer, world.acme, Membership.Role.VIEWER)
    client.force_login(viewer)
    url = reverse("admin:workspaces_workspace_resync", args=[world.acme.pk])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert not SyncRun.objects.exists()


def test_a_new_workspace_is_tested_and_synced_and_opens_on_its_page(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client.post(
            reverse("admin:workspaces_workspace_add"),
            workspace_data(
                Workspace(name="Fresh", region="eu1"),
                new_access_token="opaque-token",
                new_refresh_token="rt-opaque",
                client_id="client-1",
                refresh_token_lifetime_days="90",
            ),
            follow=True,
        )
    workspace = Workspace.objects.get(name="Fresh")
    assert response.redirect_chain[-1] == (change_page(workspace), 302)
    assert ConnectionTask.objects.get(connection__workspace=workspace).action == "test"
    run = SyncRun.objects.get(workspace=workspace)
    assert run.trigger == "admin"
    assert any(
        "the connection is being tested and a sync of Fresh is queued" in m
        for m in messages_of(response)
    )
    assert "First sync" in response.text
