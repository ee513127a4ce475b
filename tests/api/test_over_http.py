"""A script's view of the API: a real HTTP client (requests) against the live
test server, the simulator and a real Celery worker.

One script lists schedules (none before a sync), asks for a re-sync, follows
the sync run to its end, pages through the schedules it brought by cursor,
and lists the failing runs and plans. Another lists the failing schedules the
attention rules found after the sync, pauses them in a maintenance window
that the worker starts, and reads the activity rows that name its user.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from schedules.models import Plan, Run
from tests.factories import add_member, make_token, make_user
from workspaces.models import Membership

pytestmark = [pytest.mark.worker]

SYNC_TIMEOUT = 30  # seconds: the worker polls its broker about once a second


def follow(session, url: str, *, busy=("queued", "running")) -> dict:
    """A sync run (or a window), polled until its status is not `busy`."""
    deadline = time.monotonic() + SYNC_TIMEOUT
    while time.monotonic() < deadline:
        found = session.get(url, timeout=5).json()
        if found["status"] not in busy:
            return found
        time.sleep(0.2)
    pytest.fail(f"{url} is still {found['status']}")


def eventually(read):
    """What `read` gives once it gives something."""
    deadline = time.monotonic() + SYNC_TIMEOUT
    while time.monotonic() < deadline:
        if found := read():
            return found
        time.sleep(0.2)
    pytest.fail("nothing came")


def every_row(session, url: str, params: dict) -> list[dict]:
    rows, page = [], session.get(url, params=params, timeout=5).json()
    rows += page["results"]
    while page["next"]:
        page = session.get(page["next"], timeout=5).json()
        rows += page["results"]
    return rows


def script_of(workspace, live_server) -> tuple[requests.Session, str]:
    """bob operates the workspace; a session with his token, and the API's URL."""
    bob = make_user("bob")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {make_token(bob)[1]}"
    return api, f"{live_server.url}/api/v1"


def test_a_script_syncs_a_workspace_and_reads_what_it_brought(
    live_server, aac_sim, make_sim_workspace, celery_worker
):
    _, workspace = make_sim_workspace("Sim API EU", schedules=30)
    api, base = script_of(workspace, live_server)

    assert api.get(f"{base}/schedules/", timeout=5).json()["results"] == []
    queued = api.post(
        f"{base}/workspaces/{workspace.pk}/sync/",
        headers={"Idempotency-Key": "first-sync"},
        timeout=5,
    )
    assert queued.status_code == 202, queued.text
    run = follow(api, f"{base}/sync-runs/{queued.json()['id']}/")
    assert run["status"] == "succeeded"
    assert run["requested_by"] == "bob"
    assert run["counts"]["schedules"]["created"] == 30

    schedules = every_row(api, f"{base}/schedules/", {"limit": 7, "sort": "-next"})
    assert len(schedules) == 30
    assert len({row["id"] for row in schedules}) == 30
    assert {row["workspace"] for row in schedules} == {workspace.pk}

    failed = every_row(api, f"{base}/runs/", {"status": "Failed", "limit": 50})
    stored = Run.objects.filter(workspace=workspace, status="Failed")
    assert failed
    assert {row["aac_id"] for row in failed} == set(
        stored.values_list("aac_id", flat=True)
    )
    failing = every_row(api, f"{base}/plans/", {"failing": "yes"})
    streaks = Plan.objects.filter(workspace=workspace, failure_streak__gt=0)
    assert {row["aac_id"] for row in failing} == set(
        streaks.values_list("aac_id", flat=True)
    )

    # The same key again: the first answer, and no second sync.
    replayed = api.post(
        f"{base}/workspaces/{workspace.pk}/sync/",
        headers={"Idempotency-Key": "first-sync"},
        timeout=5,
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json()["id"] == run["id"]


def test_a_script_pauses_the_failing_schedules_in_a_window(
    live_server, aac_sim, make_sim_workspace, celery_worker
):
    _, workspace = make_sim_workspace("Sim API Attention", schedules=400, people=30)
    api, base = script_of(workspace, live_server)
    queued = api.post(f"{base}/workspaces/{workspace.pk}/sync/", timeout=5).json()
    assert follow(api, f"{base}/sync-runs/{queued['id']}/")["status"] == "succeeded"

    # The worker evaluates the rules once the sync's transaction is done.
    failing = eventually(
        lambda: every_row(api, f"{base}/findings/", {"rule": "failing_schedule"})
    )
    ids = [
        api.get(
            f"{base}/workspaces/{workspace.pk}/schedules/{finding['subject_id']}/",
            timeout=5,
        ).json()["id"]
        for finding in failing
    ]
    now = datetime.now(UTC)
    made = api.post(
        f"{base}/windows/",
        json={
            "schedules": ids,
            "reason": "Pause what fails until the warehouse is back",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "confirm": True,
        },
        headers={"Idempotency-Key": "pause-failing"},
        timeout=5,
    )
    assert made.status_code == 201, made.text
    window = made.json()
    assert sorted(item["schedule_aac_id"] for item in window["items"]) == sorted(
        int(finding["subject_id"]) for finding in failing
    )
    started = follow(
        api, f"{base}/windows/{window['id']}/", busy=("scheduled", "starting")
    )
    assert started["status"] == "active"
    assert {item["state"] for item in started["items"]} != {"pending"}

    log = every_row(api, f"{base}/activity/", {"workspace": workspace.pk})
    done = {(row["action"], row["username"]) for row in log}
    assert {
        ("resync", "bob"),
        ("window_created", "bob"),
        ("window_started", "bob"),
    } <= done
