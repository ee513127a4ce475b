"""The status poll: the runs of a page's workspaces, until they are done."""

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from schedules.models import SyncRun
from tests.factories import make_run
from tests.pages.requests import poll, press


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


def test_the_poll_ignores_a_workspace_that_is_no_number(login, world):
    make_run(world.acme, status="running", trigger="button")
    client = login(world.bob)
    response = client.get(reverse("pages:sync_status"), {"workspace": "²"})
    assert response.status_code == 404


def test_the_poll_ignores_a_time_out_of_range(login, world):
    make_run(world.acme, status="running", trigger="button")
    for since in ("1e18", "-1e18", "nan", "inf", "x"):
        response = poll(login(world.bob), workspace=world.acme.pk, since=since)
        assert 'data-status="running"' in response.text, since
