"""The sync buttons: queue at once, answer with a fragment, refuse what they must."""

import pytest
from django.urls import reverse

from schedules.models import SyncRun
from tests.factories import add_member, make_run, make_user, make_workspace
from tests.pages.requests import press
from workspaces.models import Membership


def test_it_queues_a_sync_and_answers_at_once(
    login, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as published:
        response = press(login(world.bob), "workspace_sync", world.acme.pk)
    assert response.status_code == 200
    run = SyncRun.objects.get()
    assert (run.workspace, run.trigger, run.status) == (world.acme, "button", "queued")
    assert len(published) == 1
    assert "Sync of Acme EU queued." in response.text
    assert f'id="sync-status-{world.acme.pk}"' in response.text
    assert 'data-status="queued"' in response.text
    assert 'hx-get="/sync/status/?since=' in response.text
    assert f"workspace={world.acme.pk}" in response.text


@pytest.mark.parametrize("status", ["queued", "running"])
def test_it_says_so_when_a_sync_is_already_under_way(login, world, status):
    make_run(world.acme, status=status)
    response = press(login(world.bob), "workspace_sync", world.acme.pk)
    assert response.status_code == 409
    assert f"A sync of Acme EU is already {status}" in response.text
    assert SyncRun.objects.count() == 1


def test_it_redirects_a_plain_form_post_with_a_message(login, world):
    client = login(world.bob)
    response = client.post(reverse("pages:workspace_sync", args=[world.acme.pk]))
    assert response.status_code == 302
    assert response["Location"] == world.acme.get_absolute_url()
    page = client.get(response["Location"])
    assert "Sync of Acme EU queued." in page.text


def test_it_queues_a_sync_of_every_workspace_the_user_operates(login, world):
    other = make_workspace("Initech")
    add_member(world.bob, other, Membership.Role.OPERATOR)
    add_member(world.bob, world.globex, Membership.Role.VIEWER)
    make_run(other, status="running")
    response = press(login(world.bob), "sync_all")
    assert response.status_code == 200
    assert "1 sync queued." in response.text
    queued = SyncRun.objects.filter(status="queued")
    assert [run.workspace for run in queued] == [world.acme]


def test_it_lets_alice_sync_everything(login, world):
    press(login(world.alice), "sync_all")
    assert SyncRun.objects.filter(status="queued").count() == 2


def test_it_says_when_nothing_was_queued(login, world):
    SyncRun.objects.create(workspace=world.acme, trigger="beat")
    response = press(login(world.bob), "sync_all")
    assert "Nothing queued" in response.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_down")
@pytest.mark.parametrize("name", ["workspace_sync", "sync_all"])
def test_it_says_the_queue_is_unavailable_and_leaves_no_run(login, world, name):
    args = [world.acme.pk] if name == "workspace_sync" else []
    response = press(login(world.bob), name, *args)
    assert response.status_code == 503
    assert "background queue unavailable" in response.text
    assert not SyncRun.objects.exists()


def test_it_does_not_queue_for_an_inactive_workspace_in_sync_all(login, world):
    world.acme.is_active = False
    world.acme.save(update_fields=["is_active"])
    assert "Nothing queued" in press(login(world.bob), "sync_all").text
    assert not SyncRun.objects.exists()


def test_an_unknown_user_cannot_press_with_a_made_up_workspace(login, world):
    response = press(login(make_user("dave")), "workspace_sync", 999999)
    assert response.status_code == 404


def test_it_records_who_pressed_it_and_the_history_says_so(login, world):
    client = login(world.bob)
    press(client, "workspace_sync", world.acme.pk)
    press(login(world.alice), "sync_all")

    runs = SyncRun.objects.order_by("workspace__name")
    assert [(run.workspace, run.requested_by) for run in runs] == [
        (world.acme, world.bob),
        (world.globex, world.alice),
    ]
    page = login(world.bob).get(reverse("pages:workspace", args=[world.acme.pk]))
    assert "<td>bob</td>" in page.text
