"""Truthful states: a workspace whose syncs retry or fail is never green on any page,
every time shows its age, and each page says how fresh the data is and when the
next automatic sync comes."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_run

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def failing(world):
    """Acme synced fine a day ago; its last beat sync failed."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        make_run(
            world.acme,
            status="succeeded",
            started_at=NOW - timedelta(days=1),
            finished_at=NOW - timedelta(days=1),
        )
    with time_machine.travel(NOW - timedelta(minutes=10), tick=False):
        make_run(
            world.acme,
            status="failed",
            finished_at=NOW - timedelta(minutes=9),
            error_message="AAC answered 503 on page 2 of 5",
        )
    return world.acme


@pytest.fixture
def retrying(world):
    with time_machine.travel(NOW - timedelta(minutes=2), tick=False):
        make_run(
            world.acme,
            status="queued",
            retry_at=NOW + timedelta(minutes=1),
            error_message="AAC answered 502",
        )
    return world.acme


def badge(html: str, workspace) -> tuple[str, str]:
    """The tone and label of the workspace's health badge on a page."""
    card = re.search(
        rf'<article class="card tone-(\w+)" aria-labelledby="card-{workspace.pk}".*?'
        r'<span class="badge tone-\w+">([^<]+)</span>',
        html,
        re.S,
    )
    return card.group(1), card.group(2)


def test_the_dashboard_shows_a_failing_sync_in_red_with_its_reason_and_age(
    login, world, failing
):
    html = login(world.bob).get(reverse("pages:dashboard")).text
    assert badge(html, failing) == ("bad", "Sync failing")
    assert "AAC answered 503 on page 2 of 5" in html
    assert "No successful sync since" in html
    assert (
        '<span class="age" data-at="2026-03-01T12:00:00+00:00">24 h ago</span>' in html
    )
    assert ">OK<" not in html


def test_the_dashboard_shows_a_retrying_sync_in_amber_never_green(
    login, world, retrying
):
    html = login(world.bob).get(reverse("pages:dashboard")).text
    assert badge(html, retrying) == ("warn", "Retrying")
    assert "next automatic sync" in html
    assert "in 1 min" in html  # the retry is the next sync


def test_the_workspace_page_says_the_same_and_when_the_next_sync_comes(
    login, world, failing, settings
):
    settings.AAC_SYNC_INTERVAL_MINUTES = 15
    html = login(world.bob).get(reverse("pages:workspace", args=[failing.pk])).text
    assert re.search(r'class="badge tone-bad" id="health"[^>]*>Sync failing<', html)
    as_of = re.search(r'<dd id="data-as-of">(.*?)</dd>', html).group(1)
    assert "2026-03-01 12:00" in as_of
    assert "24 h ago" in as_of
    # Beat queued the failed run 10 minutes ago: the next is due in 5.
    next_sync = re.search(r'<dd id="next-sync">(.*?)</dd>', html).group(1)
    assert "2026-03-02 12:05" in next_sync
    assert "in 5 min" in next_sync


def test_the_connections_page_shows_the_workspaces_state_and_each_ones_last_sync(
    login, world, failing
):
    connection = failing.connections.get()
    failing.sync_runs.filter(status="failed").update(
        by_connection=[
            {
                "connection": connection.pk,
                "slot": 0,
                "person": "Bob",
                "error_kind": "unavailable",
                "error": "AAC answered 503",
            }
        ]
    )
    html = login(world.bob).get(reverse("pages:connections", args=[failing.pk])).text
    assert re.search(r'class="badge tone-bad" id="health"[^>]*>Sync failing<', html)
    assert '<span class="badge tone-bad">Failed</span>' in html
    assert "AAC answered 503" in html


def test_the_health_page_shows_the_failing_sync(login, world, failing):
    report = (
        login(world.bob)
        .get("/health/", HTTP_ACCEPT="application/json")
        .json()["workspaces"]
    )
    assert [(ws["name"], ws["health"], ws["tone"]) for ws in report] == [
        ("Acme EU", "failing", "bad")
    ]


def test_a_healthy_workspace_is_green(login, world):
    make_run(world.acme, status="succeeded", finished_at=NOW - timedelta(minutes=3))
    html = login(world.bob).get(reverse("pages:dashboard")).text
    assert badge(html, world.acme) == ("ok", "OK")
    assert "3 min ago" in html
