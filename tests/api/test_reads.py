"""The API's other reads: workspaces (state, coverage, last sync), plans, flows,
workflows, runs and sync runs, each as its page filters them."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from schedules.models import Flow, Plan, Workflow
from tests.api.calls import api_client
from tests.factories import make_aac_run, make_asset, make_run, make_token


@pytest.fixture
def bob_api(world):
    return api_client(make_token(world.bob)[1])


def test_it_describes_each_visible_workspace(world, bob_api):
    make_run(
        world.acme, status="succeeded", finished_at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    body = bob_api.get(reverse("api:workspaces")).json()
    [acme] = body["results"]
    assert acme["id"] == world.acme.pk
    assert acme["name"] == "Acme EU"
    assert acme["may_operate"] is True
    assert acme["state"]["state"] == "ok"
    assert acme["coverage"]["extent"] == "unknown"
    assert acme["last_sync"]["status"] == "succeeded"
    assert acme["last_success"]["finished_at"] == "2026-12-01T00:00:00+00:00"
    [connection] = acme["connections"]
    assert set(connection) >= {"id", "person", "state"}
    assert not any("token" in key and "expires" not in key for key in connection)


def test_a_viewer_is_told_they_may_not_operate(world):
    carol = api_client(make_token(world.carol)[1])
    body = carol.get(reverse("api:workspace", args=[world.acme.pk])).json()
    assert body["may_operate"] is False


@pytest.mark.parametrize(("model", "name"), [(Plan, "plans"), (Flow, "flows")])
def test_it_lists_assets_with_the_tables_failing_filter(world, bob_api, model, name):
    make_asset(model, world.acme, 1_500_001, name="fine")
    make_asset(model, world.acme, 1_500_002, name="broken", failure_streak=3)
    make_asset(model, world.globex, 1_500_003, name="not bob's", failure_streak=3)
    rows = bob_api.get(reverse(f"api:{name}"), {"failing": "yes"}).json()["results"]
    assert [(row["name"], row["aac_id"]) for row in rows] == [("broken", 1_500_002)]


def test_it_lists_workflows_with_their_type(world, bob_api):
    make_asset(Workflow, world.acme, "01HZX3Q4W5E6R7T8Y9U0I1O2P3", name="wf")
    [row] = bob_api.get(reverse("api:workflows")).json()["results"]
    assert row["aac_id"] == "01HZX3Q4W5E6R7T8Y9U0I1O2P3"
    assert "workflow_type" in row


def test_it_lists_runs_newest_first_with_the_tables_filters(world, bob_api):
    plan = make_asset(Plan, world.acme, 1_500_001)
    older = datetime(2026, 11, 30, tzinfo=UTC)
    newer = datetime(2026, 12, 1, tzinfo=UTC)
    make_aac_run(world.acme, asset=plan, status="Failed", created=older)
    make_aac_run(world.acme, asset=plan, status="Complete", created=newer)
    make_aac_run(world.acme, asset=plan, status="Failed", created=newer)
    rows = bob_api.get(reverse("api:runs"), {"status": "Failed"}).json()["results"]
    assert [row["aac_created_at"] for row in rows] == [
        "2026-12-01T00:00:00+00:00",
        "2026-11-30T00:00:00+00:00",
    ]
    since = bob_api.get(reverse("api:runs"), {"start": "2026-12-01T00:00:00Z"})
    assert len(since.json()["results"]) == 2


def test_it_lists_sync_runs_of_a_workspace_newest_first(world, bob_api):
    first = make_run(world.acme, status="failed")
    second = make_run(world.acme, status="succeeded")
    make_run(world.globex, status="succeeded")
    url = reverse("api:sync_runs")
    rows = bob_api.get(url, {"workspace": world.acme.pk}).json()["results"]
    assert [row["id"] for row in rows] == [second.pk, first.pk]
    failed = bob_api.get(url, {"status": "failed"}).json()["results"]
    assert [row["id"] for row in failed] == [first.pk]
    assert bob_api.get(url, {"workspace": world.globex.pk}).status_code == 404
