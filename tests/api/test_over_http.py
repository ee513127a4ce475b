"""A script's view of the API: a real HTTP client (requests) against the live
test server, the simulator and a real Celery worker.

It lists schedules (none before a sync), asks for a re-sync, follows the sync
run to its end, pages through the schedules it brought by cursor, and lists
the failing runs and plans.
"""

import time

import pytest
import requests

from schedules.models import Plan, Run
from tests.factories import add_member, make_token, make_user
from workspaces.models import Membership

pytestmark = [pytest.mark.worker]

SYNC_TIMEOUT = 30  # seconds: the worker polls its broker about once a second


def follow(session, url: str) -> dict:
    """A sync run, polled until it has finished."""
    deadline = time.monotonic() + SYNC_TIMEOUT
    while time.monotonic() < deadline:
        run = session.get(url, timeout=5).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.2)
    pytest.fail(f"the sync run is still {run['status']}")


def every_row(session, url: str, params: dict) -> list[dict]:
    rows, page = [], session.get(url, params=params, timeout=5).json()
    rows += page["results"]
    while page["next"]:
        page = session.get(page["next"], timeout=5).json()
        rows += page["results"]
    return rows


def test_a_script_syncs_a_workspace_and_reads_what_it_brought(
    live_server, aac_sim, make_sim_workspace, celery_worker
):
    _, workspace = make_sim_workspace("Sim API EU", schedules=30)
    bob = make_user("bob")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {make_token(bob)[1]}"
    base = f"{live_server.url}/api/v1"

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
