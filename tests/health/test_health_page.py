"""The health page reports database, broker, worker and simulator state."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from health.models import WorkerHeartbeat
from tests.factories import make_run, make_user, make_workspace

pytestmark = pytest.mark.django_db


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/health/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_reports_a_missing_worker_as_down(client):
    client.force_login(make_user())
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    report = response.json()
    assert report["checks"]["database"]["ok"] is True
    assert report["checks"]["worker"] == {
        "ok": False,
        "detail": "no worker has reported yet",
    }


def test_it_reports_a_recent_worker_as_up(client):
    client.force_login(make_user())
    WorkerHeartbeat.objects.create(hostname="w1@host", last_seen=timezone.now())
    report = client.get("/health/", HTTP_ACCEPT="application/json").json()
    assert report["checks"]["worker"]["ok"] is True
    assert "w1@host" in report["checks"]["worker"]["detail"]


def test_it_reports_a_silent_worker_as_down(client):
    client.force_login(make_user())
    WorkerHeartbeat.objects.create(
        hostname="w1@host", last_seen=timezone.now() - timedelta(minutes=5)
    )
    report = client.get("/health/", HTTP_ACCEPT="application/json").json()
    assert report["checks"]["worker"]["ok"] is False


def test_it_reports_an_unreachable_broker(client, broker_down):
    client.force_login(make_user())
    report = client.get("/health/", HTTP_ACCEPT="application/json").json()
    assert report["checks"]["broker"]["ok"] is False
    assert "background queue unavailable" in report["checks"]["broker"]["detail"]


def test_it_reports_the_simulator_when_configured(client, aac_sim):
    client.force_login(make_user())
    report = client.get("/health/", HTTP_ACCEPT="application/json").json()
    assert report["checks"]["simulator"] == {"ok": True, "detail": aac_sim.urls.api}


def test_it_renders_html_for_browsers(client):
    client.force_login(make_user())
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert b"Database" in response.content
    assert b"Worker" in response.content


def test_it_says_how_much_of_each_visible_workspace_the_portal_sees(client, world):
    world.acme.connections.update(listed_at=timezone.now())
    client.force_login(world.bob)

    report = client.get("/health/", HTTP_ACCEPT="application/json").json()
    html = client.get("/health/", HTTP_ACCEPT="text/html").content.decode()

    assert report["workspaces"] == [
        {
            "name": "Acme EU",
            "health": "never_synced",
            "health_label": "Never synced",
            "tone": "idle",
            "reason": "",
            "state": "ok",
            "coverage": "partial",
            "summary": "Partial: the schedules of 1 person are visible.",
            "unconfirmed": 0,
        }
    ]
    assert "Partial: the schedules of 1 person are visible." in html
    assert "Globex US" not in html


def test_its_workspaces_cost_the_same_statements_however_many(client, world):
    """Each workspace's health (its syncs included) is loaded for all at once."""

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get("/health/", HTTP_ACCEPT="application/json")
        return len(queries)

    client.force_login(world.alice)
    make_run(world.acme, status="failed", error_message="AAC answered 503")
    one = statements()
    for n in range(4):
        workspace = make_workspace(f"More {n}")
        make_run(workspace, status="succeeded")
        make_run(workspace, status="queued", retry_at=timezone.now())
    assert statements() == one
