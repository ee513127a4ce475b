"""Who may see and press what (docs/reliability.md rule 10, "Web and broker" cases)."""

from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse

from schedules.models import SyncRun
from tests.factories import add_member, make_schedule, make_workspace
from workspaces import access
from workspaces.models import Connection, ConnectionTask, Membership, Workspace

# The buttons of one workspace, and "Re-sync all".
WORKSPACE_BUTTONS = [
    "workspace_sync",
    "connect",
    "connection_test",
    "connection_refresh",
    "connection_remove",
]
POST_ENDPOINTS = [*WORKSPACE_BUTTONS, "sync_all"]


def _url(name, world):
    if name == "preferences":
        return reverse(name)
    if name.startswith("connection_"):
        return reverse(f"pages:{name}", args=[world.acme.connections.get().pk])
    if name.startswith("workspace") or name in ("connect", "connections"):
        return reverse(f"pages:{name}", args=[world.acme.pk])
    return reverse(f"pages:{name}")


def nothing_done():
    assert not SyncRun.objects.exists()
    assert not ConnectionTask.objects.exists()
    assert Connection.objects.count() == 2  # Acme's and Globex's


PAGES = [
    "dashboard",
    "schedules",
    "schedules_csv",
    "sync_status",
    "workspace",
    "connections",
]


@pytest.mark.parametrize("name", PAGES + POST_ENDPOINTS + ["preferences"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, name, method):
    url = _url(name, world)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse(settings.LOGIN_URL)}?next=")


def test_it_lets_anonymous_visitors_see_the_login_page(client, db):
    assert client.get(reverse("login")).status_code == 200


def test_it_answers_404_on_the_page_of_another_workspace(login, world):
    assert login(world.charlie).get(_url("workspace", world)).status_code == 404
    assert (
        login(world.bob)
        .get(reverse("pages:workspace", args=[world.globex.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("name", WORKSPACE_BUTTONS)
def test_it_answers_404_to_a_button_of_another_workspace(login, world, name):
    with mock.patch("workspaces.queueing.run_connection_task") as task:
        response = login(world.charlie).post(_url(name, world))
    assert response.status_code == 404
    nothing_done()
    task.delay.assert_not_called()


def test_it_answers_404_to_a_status_poll_for_another_workspace(login, world):
    url = f"{reverse('pages:sync_status')}?workspace={world.acme.pk}"
    assert login(world.charlie).get(url).status_code == 404


def test_it_never_shows_a_hidden_workspace_run_in_a_status_poll(login, world):
    SyncRun.objects.create(workspace=world.globex, trigger="beat")
    SyncRun.objects.create(workspace=world.acme, trigger="beat")
    response = login(world.bob).get(reverse("pages:sync_status"))
    assert response.status_code == 200
    assert f"sync-status-{world.globex.pk}" not in response.text
    # The same poll does carry the runs bob may see.
    assert f"sync-status-{world.acme.pk}" in response.text


def test_it_refuses_re_sync_all_to_a_user_who_operates_nothing(login, world):
    for user in (world.carol, world.charlie):
        response = login(user).post(reverse("pages:sync_all"), HTTP_HX_REQUEST="true")
        assert response.status_code == 403
    assert not SyncRun.objects.exists()


def test_it_hides_the_buttons_from_a_viewer(login, world):
    client = login(world.carol)
    page = client.get(_url("workspace", world)).text
    dashboard = client.get(reverse("pages:dashboard")).text
    connections = client.get(_url("connections", world)).text
    assert "Re-sync now" not in page
    assert "Re-sync all" not in dashboard
    assert "Refresh tokens" not in connections
    assert "Connect my AAC account" not in connections
    # The pages themselves are there, with the workspace carol views.
    for text in (page, dashboard, connections):
        assert "Acme EU" in text


def test_it_shows_the_buttons_to_an_operator(login, world):
    client = login(world.bob)
    page = client.get(_url("workspace", world)).text
    connections = client.get(_url("connections", world)).text
    assert "Re-sync now" in page
    assert "Re-sync all" in client.get(reverse("pages:dashboard")).text
    assert "Refresh tokens" in connections
    assert "Connect my AAC account" in connections


@pytest.mark.parametrize("name", WORKSPACE_BUTTONS)
def test_it_refuses_a_viewer_who_posts_anyway(login, world, name):
    with mock.patch("workspaces.queueing.run_connection_task") as task:
        response = login(world.carol).post(_url(name, world))
    assert response.status_code == 403
    nothing_done()
    task.delay.assert_not_called()


@pytest.mark.parametrize("name", POST_ENDPOINTS)
def test_it_answers_405_to_a_get_on_a_button(login, world, name):
    assert login(world.alice).get(_url(name, world)).status_code == 405


@pytest.mark.parametrize("name", [*POST_ENDPOINTS, "logout"])
def test_it_refuses_a_post_without_csrf_token(world, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    url = reverse(name) if name == "logout" else _url(name, world)
    with mock.patch("workspaces.queueing.run_connection_task") as task:
        response = client.post(url)
    assert response.status_code == 403
    nothing_done()
    task.delay.assert_not_called()


def test_it_lists_only_the_schedules_of_visible_workspaces(login, world):
    make_schedule(world.acme, name="acme nightly")
    make_schedule(world.globex, name="globex secret")
    for name, shown in [
        ("schedules", "acme nightly"),
        ("schedules_csv", "acme nightly"),
        ("dashboard", "Acme EU"),
    ]:
        response = login(world.bob).get(reverse(f"pages:{name}"))
        body = b"".join(response.streaming_content) if response.streaming else None
        text = body.decode() if body is not None else response.text
        assert "globex secret" not in text
        assert "Globex US" not in text
        # The same page does list what bob may see.
        assert shown in text


def test_it_ignores_a_workspace_filter_outside_the_scope(login, world):
    make_schedule(world.globex, name="globex secret")
    make_schedule(world.acme, name="acme nightly")
    url = f"{reverse('pages:schedules')}?workspace={world.globex.pk}"
    page = login(world.bob).get(url).text
    csv = login(world.bob).get(url.replace("/schedules/", "/schedules.csv"))
    exported = b"".join(csv.streaming_content)
    assert "globex secret" not in page
    assert b"globex secret" not in exported
    # The filter is ignored, not obeyed with an empty answer.
    assert "acme nightly" in page
    assert b"acme nightly" in exported


def test_it_lets_alice_see_every_workspace(login, world):
    make_schedule(world.globex, name="globex nightly")
    assert "globex nightly" in login(world.alice).get(reverse("pages:schedules")).text
    assert login(world.alice).get(_url("workspace", world)).status_code == 200


# The access module's answers themselves, beside the pages that ask it.
def test_nobody_anonymous_may_remove_a_connection(world):
    connection = world.acme.connections.get()
    connection.added_by = world.bob
    connection.save(update_fields=["added_by"])

    assert not access.may_remove_connection(AnonymousUser(), connection)
    assert access.may_remove_connection(world.bob, connection)
    assert access.may_remove_connection(world.alice, connection)
    assert not access.may_remove_connection(world.carol, connection)


def test_a_selection_splits_into_what_the_user_operates_and_only_views(world):
    viewed = make_workspace("Viewed by bob")
    add_member(world.bob, viewed, Membership.Role.VIEWER)
    selected = Workspace.objects.filter(pk__in=[world.acme.pk, viewed.pk])

    operable, viewable = access.split_operable(world.bob, selected)

    assert operable == [world.acme]
    assert viewable == [viewed]
    # Only the selection: Globex (hidden) and the rest are not in either list.
    alone = access.split_operable(world.bob, Workspace.objects.filter(pk=viewed.pk))
    assert alone == ([], [viewed])
    assert access.split_operable(world.alice, selected)[0] == [world.acme, viewed]


def test_a_viewer_pressing_a_button_is_told_viewers_cannot(world):
    with pytest.raises(PermissionDenied, match=r"^Viewers cannot start syncs"):
        access.operable_workspace_or_403(world.carol, world.acme.pk)
    connection = world.acme.connections.get()
    with pytest.raises(PermissionDenied, match=r"^Viewers cannot test or refresh"):
        access.operable_connection_or_403(world.carol, connection.pk)
    assert access.operable_workspace_or_403(world.bob, world.acme.pk) == world.acme


def test_a_connection_outside_the_users_workspaces_is_not_found(world):
    hidden = world.globex.connections.get()

    with pytest.raises(Http404, match=r"^No such connection$"):
        access.visible_connection_or_404(world.bob, hidden.pk)
    with pytest.raises(Http404, match=r"^No such workspace$"):
        access.visible_workspace_or_404(world.bob, world.globex.pk)


def test_a_visible_connection_comes_with_its_workspace(
    world, django_assert_num_queries
):
    pk = world.acme.connections.get().pk

    with django_assert_num_queries(1):
        connection = access.visible_connection_or_404(world.alice, pk)
        assert connection.workspace.name == "Acme EU"
    assert isinstance(connection, Connection)
