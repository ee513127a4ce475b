"""The buttons: queue at once, answer with a fragment, refuse what they must."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from schedules.models import SyncRun
from tests.factories import add_member, make_run, make_user, make_workspace
from workspaces.models import Membership

HTMX = {"HTTP_HX_REQUEST": "true"}


def press(client, name, *args):
    return client.post(reverse(f"pages:{name}", args=args), **HTMX)


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_down")
def test_it_says_the_queue_is_unavailable_for_a_token_refresh(login, world):
    response = press(login(world.bob), "workspace_refresh_tokens", world.acme.pk)
    assert response.status_code == 503
    assert "background queue unavailable" in response.text


def test_it_queues_a_forced_token_refresh(login, world):
    page = f"http://testserver{world.acme.get_absolute_url()}"
    with mock.patch("workspaces.queueing.refresh_workspace_tokens") as task:
        response = login(world.bob).post(
            reverse("pages:workspace_refresh_tokens", args=[world.acme.pk]),
            HTTP_HX_CURRENT_URL=page,
            **HTMX,
        )
    assert response.status_code == 200
    assert "Token refresh queued" in response.text
    # With no run to watch, the page fetches its data again a moment later.
    assert f'hx-get="{world.acme.get_absolute_url()}" hx-trigger="load delay:3s"' in (
        response.text
    )
    task.delay_on_commit.assert_called_once_with(world.acme.pk, force=True)


def poll(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"{reverse('pages:sync_status')}?{query}")


def test_the_poll_shows_a_running_sync_and_keeps_polling(login, world):
    make_run(world.acme, status="running", trigger="button", pages_fetched=2)
    response = poll(login(world.bob), workspace=world.acme.pk)
    assert 'data-status="running"' in response.text
    assert "2 pages fetched" in response.text
    assert 'id="sync-poller" hx-get=' in response.text
    assert "HX-Trigger" not in response.headers


def test_the_poll_reports_a_success_once_and_stops(login, world):
    finished = timezone.now()
    SyncRun.objects.create(
        workspace=world.acme,
        trigger="button",
        status="succeeded",
        started_at=finished - timedelta(seconds=1),
        finished_at=finished,
        counts={"schedules": {"seen": 42, "created": 2}},
    )
    client = login(world.bob)
    before = (finished - timedelta(seconds=1)).timestamp()
    response = poll(client, workspace=world.acme.pk, since=before)
    assert "42 schedules (2 new" in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert json.loads(response.headers["HX-Trigger"]) == {"sync-succeeded": {}}
    assert 'id="sync-poller" hx-get=' not in response.text
    after = (finished + timedelta(milliseconds=1)).timestamp()
    later = poll(client, workspace=world.acme.pk, since=after)
    assert "HX-Trigger" not in later.headers
    assert "sync-status-" not in later.text


def test_the_poll_shows_the_failure_reason(login, world):
    since = timezone.now()
    SyncRun.objects.create(
        workspace=world.acme,
        trigger="button",
        status="failed",
        finished_at=since + timedelta(seconds=1),
        error_message="AAC is unavailable (503); nothing applied",
    )
    response = poll(login(world.bob), since=since.timestamp())
    assert "AAC is unavailable (503); nothing applied" in response.text
    assert "HX-Trigger" not in response.headers


def test_the_poll_of_the_dashboard_covers_every_visible_workspace(login, world):
    for workspace in (world.acme, world.globex):
        SyncRun.objects.create(workspace=workspace, trigger="beat")
    text = poll(login(world.alice)).text
    assert f"sync-status-{world.acme.pk}" in text
    assert f"sync-status-{world.globex.pk}" in text


def test_a_viewer_may_watch_but_not_press(login, world):
    SyncRun.objects.create(workspace=world.acme, trigger="beat")
    client = login(world.carol)
    assert 'data-status="queued"' in poll(client, workspace=world.acme.pk).text
    assert press(client, "workspace_sync", world.acme.pk).status_code == 403


def test_it_does_not_queue_for_an_inactive_workspace_in_sync_all(login, world):
    world.acme.is_active = False
    world.acme.save(update_fields=["is_active"])
    assert "Nothing queued" in press(login(world.bob), "sync_all").text
    assert not SyncRun.objects.exists()


def test_an_unknown_user_cannot_press_with_a_made_up_workspace(login, world):
    response = press(login(make_user("dave")), "workspace_sync", 999999)
    assert response.status_code == 404


def test_the_status_line_escapes_what_aac_said(login, world):
    SyncRun.objects.create(
        workspace=world.acme,
        trigger="beat",
        status="failed",
        finished_at=timezone.now(),
        error_message='AAC said <script>alert("x")</script>',
    )
    text = login(world.bob).get(reverse("pages:workspace", args=[world.acme.pk])).text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert '<script>alert("x")' not in text
