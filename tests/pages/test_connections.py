"""A workspace's connections page: "Connect my AAC account", and each connection's
buttons (test, refresh, remove), which queue tasks and say why when they do not."""

import pytest
from django.urls import reverse

from schedules.models import Schedule, SyncRun
from tests.factories import make_schedules
from tests.pages.requests import HTMX, press
from tests.schedules.conftest import active_person
from tests.workspaces.stored import reread, tokens
from workspaces.models import Connection, ConnectionTask, Membership
from workspaces.tasks import run_connection_task

State = Connection.State


def run_queued_tasks() -> None:
    for task in ConnectionTask.objects.filter(status="queued"):
        run_connection_task(task.pk)


@pytest.fixture
def sim_world(make_sim_workspace, world):
    """Acme's twin in the simulator, operated by bob, viewed by carol."""
    remote, workspace = make_sim_workspace("Sim Acme", schedules=30, people=6)
    workspace.memberships.create(user=world.bob, role=Membership.Role.OPERATOR)
    workspace.memberships.create(user=world.carol, role=Membership.Role.VIEWER)
    return remote, workspace


def connect(client, workspace, pair, **fields):
    return client.post(
        reverse("pages:connect", args=[workspace.pk]),
        {
            "new_access_token": pair.access_token,
            "new_refresh_token": pair.refresh_token,
            "client_id": "",
            "refresh_token_lifetime_days": "",
            **fields,
        },
    )


def test_an_operator_connects_their_own_account_and_it_is_tested(
    aac_sim, login, world, sim_world, django_capture_on_commit_callbacks
):
    remote, workspace = sim_world
    pair = aac_sim.sim.new_token_pair(remote.id, person_id=active_person(remote))
    client = login(world.bob)

    with django_capture_on_commit_callbacks(execute=True):
        response = connect(client, workspace, pair, refresh_token_lifetime_days="90")

    assert response.status_code == 302
    assert response["Location"] == reverse("pages:connections", args=[workspace.pk])
    mine = workspace.connections.get(added_by=world.bob)
    assert (mine.slot, mine.refresh_token_lifetime_days) == (1, 90)
    assert tokens(mine.pk) == (pair.access_token, pair.refresh_token)
    test = ConnectionTask.objects.get(connection=mine)
    assert test.action == "test"
    sync = SyncRun.objects.get(workspace=workspace)
    assert (sync.trigger, sync.requested_by) == ("button", world.bob)
    page = client.get(response["Location"]).text
    assert "the connection is being tested and a sync of Sim Acme is queued" in page
    assert 'id="sync-status-' in page
    assert pair.access_token not in page
    assert pair.refresh_token not in page
    assert f'id="remove-{mine.pk}"' in page  # theirs to remove
    assert f'id="remove-{workspace.connections.get(slot=0).pk}"' not in page


def test_a_bad_paste_is_answered_with_the_form_and_stores_nothing(
    login, world, sim_world
):
    _, workspace = sim_world

    response = login(world.bob).post(
        reverse("pages:connect", args=[workspace.pk]),
        {"new_access_token": "two\nlines", "new_refresh_token": "rt-secret-xyz"},
    )

    assert response.status_code == 400
    assert "Access token: spans several lines" in response.text
    assert "rt-secret-xyz" not in response.text
    assert workspace.connections.count() == 1


def test_whoever_added_a_connection_removes_it_with_the_rows_only_it_listed(
    aac_sim, login, world, sim_world
):
    remote, workspace = sim_world
    pair = aac_sim.sim.new_token_pair(remote.id, person_id=active_person(remote))
    client = login(world.bob)
    connect(client, workspace, pair)
    mine = workspace.connections.get(added_by=world.bob)
    make_schedules(workspace, 5, start_id=900)
    Schedule.objects.filter(aac_id__gte=900).update(seen_by=mine.bit)

    response = client.post(reverse("pages:connection_remove", args=[mine.pk]))

    assert response.status_code == 302
    assert not Connection.objects.filter(pk=mine.pk).exists()
    assert not Schedule.objects.filter(aac_id__gte=900).exists()
    page = client.get(response["Location"]).text
    assert "its tokens are wiped, and 5 schedules only it listed are gone" in page


def test_someone_elses_connection_is_not_removed_here(login, world):
    other = world.acme.connections.get()

    response = login(world.bob).post(
        reverse("pages:connection_remove", args=[other.pk])
    )

    assert response.status_code == 403
    assert Connection.objects.filter(pk=other.pk).exists()


def test_a_test_answers_at_once_with_a_fragment_that_follows_the_task(login, world):
    connection = world.acme.connections.get()

    response = press(login(world.bob), "connection_test", connection.pk)

    assert response.status_code == 200
    task = ConnectionTask.objects.get()
    assert "Test connection of connection 1 queued." in response.text
    assert f'id="connection-task-{connection.pk}"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    poll = reverse("pages:connection_task", args=[task.pk])
    assert f'hx-get="{poll}" hx-trigger="every 1s"' in response.text


def test_the_poll_stops_and_the_page_reloads_when_the_task_ends(login, world):
    task = ConnectionTask.objects.create(
        connection=world.acme.connections.get(), action="test"
    )
    client = login(world.carol)
    url = reverse("pages:connection_task", args=[task.pk])

    running = client.get(url)
    ConnectionTask.objects.filter(pk=task.pk).update(
        status="failed", message="Connection test failed: GET ...: 503"
    )
    ended = client.get(url)

    assert 'hx-trigger="every 1s"' in running.text
    assert "HX-Trigger" not in running.headers
    assert 'hx-trigger="every 1s"' not in ended.text
    assert "Connection test failed: GET ...: 503" in ended.text
    assert "connection-checked" in ended.headers["HX-Trigger"]


def test_eight_presses_of_refresh_tokens_rotate_the_token_once(
    aac_sim, login, world, sim_world, sim_stats
):
    remote, workspace = sim_world
    connection = workspace.connections.get()
    client = login(world.bob)

    answers = []
    for _ in range(8):
        answers.append(press(client, "connection_refresh", connection.pk))
        run_queued_tasks()  # a fast worker takes each one at once

    assert sim_stats.refreshes(remote) == 1
    assert [a.status_code for a in answers] == [200] + [409] * 7
    assert all("were refreshed" in a.text for a in answers[1:])
    assert reread(connection).state == State.OK


def test_presses_while_a_refresh_waits_for_a_worker_are_refused(login, world):
    connection = world.acme.connections.get()
    client = login(world.bob)

    answers = [press(client, "connection_refresh", connection.pk) for _ in range(8)]

    assert [a.status_code for a in answers] == [200] + [409] * 7
    assert "a token refresh of connection 1 is already queued" in answers[-1].text
    assert ConnectionTask.objects.count() == 1


@pytest.mark.parametrize("button", ["connection_test", "connection_refresh"])
def test_a_connection_needing_reauthorisation_says_so_instead_of_queued(
    login, world, button
):
    connection = world.acme.connections.get()
    connection.set_state(State.NEEDS_REAUTH, "AAC refused the refresh token.")

    response = press(login(world.bob), button, connection.pk)

    assert response.status_code == 409
    assert "needs re-authorisation: AAC refused the refresh token." in response.text
    assert "queued." not in response.text
    assert not ConnectionTask.objects.exists()


def test_re_sync_of_a_workspace_needing_reauthorisation_says_so(login, world):
    world.acme.connections.get().set_state(
        State.NEEDS_REAUTH, "AAC refused the refresh token."
    )

    response = press(login(world.bob), "workspace_sync", world.acme.pk)

    assert response.status_code == 409
    assert (
        "Not queued: Acme EU needs re-authorisation: AAC refused the refresh token."
        in response.text
    )
    assert not SyncRun.objects.exists()


def test_the_page_shows_each_connection_and_the_coverage(login, world):
    connection = world.acme.connections.get()
    connection.person_name, connection.person_email = "Ada", "ada@example.com"
    connection.save(update_fields=["person_name", "person_email"])

    text = (
        login(world.carol)
        .get(reverse("pages:connections", args=[world.acme.pk]), **HTMX)
        .text
    )

    assert "Ada &lt;ada@example.com&gt;" in text
    assert "Coverage unknown until the first sync." in text
    assert "Connect my AAC account" not in text  # carol only views
