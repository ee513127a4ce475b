"""The API's actions over `actions`: run now, enable and disable, windows; and
the findings and activity they and the re-sync leave behind."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import BulkChange, RunRequest, Window
from activity.models import Entry
from attention.models import Finding
from schedules.models import Plan, Schedule
from tests.actions.worlds import acting_world
from tests.api.calls import api_client
from tests.factories import make_asset, make_token


@pytest.fixture
def acting(db, make_sim_workspace):
    return acting_world(make_sim_workspace, schedules=30)


def post(client, url, data=None):
    return client.post(url, data, content_type="application/json")


def later(minutes: int) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def test_run_now_queues_the_run_and_names_the_tokens_user(acting):
    bob = api_client(make_token(acting.bob)[1])
    plan = Plan.objects.filter(workspace=acting.workspace).first()
    url = reverse("api:run_now", args=[acting.workspace.pk, "plans", plan.aac_id])
    assert post(bob, url).status_code == 400
    response = post(bob, url, {"confirm": True})
    assert response.status_code == 202, response.content
    run = RunRequest.objects.get()
    assert (run.requested_by, run.asset_aac_id) == (acting.bob, str(plan.aac_id))
    followed = bob.get(reverse("api:run_request", args=[run.pk])).json()
    assert followed["execution_id"] == run.execution_id
    row = Entry.objects.get(action="run_now")
    assert (row.username, row.outcome) == ("bob", "queued")


def test_run_now_says_what_it_cannot_run(acting):
    bob = api_client(make_token(acting.bob)[1])
    url = reverse("api:run_now", args=[acting.workspace.pk, "widgets", "1"])
    assert post(bob, url, {"confirm": True}).status_code == 404
    missing = reverse("api:run_now", args=[acting.workspace.pk, "plans", "999"])
    assert post(bob, missing, {"confirm": True}).status_code == 404


def test_it_disables_the_ticked_schedules_of_workspaces_the_user_operates(acting):
    bob = api_client(make_token(acting.bob)[1])
    ids = [schedule.pk for schedule in acting.own[:2]]
    body = {"action": "disable", "schedules": ids, "reason": "migration"}
    assert post(bob, reverse("api:changes"), body).status_code == 400
    response = post(bob, reverse("api:changes"), {**body, "confirm": True})
    assert response.status_code == 202, response.content
    change = BulkChange.objects.get()
    assert (change.action, change.reason, change.requested_by) == (
        "disable",
        "migration",
        acting.bob,
    )
    data = response.json()
    assert sorted(item["schedule_aac_id"] for item in data["items"]) == sorted(
        s.aac_id for s in acting.own[:2]
    )
    assert bob.get(reverse("api:change", args=[change.pk])).json()["id"] == change.pk


def test_a_change_names_its_schedules_one_way(acting):
    bob = api_client(make_token(acting.bob)[1])
    body = {"action": "enable", "reason": "r", "confirm": True}
    both = {**body, "schedules": [acting.own[0].pk], "filter": {"enabled": "no"}}
    assert post(bob, reverse("api:changes"), both).status_code == 400
    assert post(bob, reverse("api:changes"), body).status_code == 400


def test_a_viewer_changes_nothing(acting):
    carol = api_client(make_token(acting.carol)[1])
    body = {"action": "disable", "filter": {}, "reason": "r", "confirm": True}
    response = post(carol, reverse("api:changes"), body)
    assert response.status_code == 403
    assert BulkChange.objects.count() == 0


def test_a_window_over_a_filter_is_made_listed_and_cancelled(acting):
    bob = api_client(make_token(acting.bob)[1])
    body = {
        "filter": {"workspace": str(acting.workspace.pk), "enabled": "yes"},
        "reason": "warehouse upgrade",
        "starts_at": later(60),
        "ends_at": later(120),
        "confirm": True,
    }
    response = post(bob, reverse("api:windows"), body)
    assert response.status_code == 201, response.content
    window = Window.objects.get()
    enabled = Schedule.objects.filter(workspace=acting.workspace, enabled=True)
    assert window.items.count() == enabled.count()
    assert "everything the filter shows" in window.chosen
    listed = bob.get(reverse("api:windows")).json()["results"]
    assert [row["id"] for row in listed] == [window.pk]
    cancelled = post(bob, reverse("api:window_cancel", args=[window.pk]))
    assert cancelled.json()["status"] == "cancelled"
    again = post(bob, reverse("api:window_cancel", args=[window.pk]))
    assert again.status_code == 409
    actions = set(Entry.objects.filter(username="bob").values_list("action", flat=True))
    assert {"window_created", "window_cancelled"} <= actions


def test_a_window_must_end_after_it_starts(acting):
    bob = api_client(make_token(acting.bob)[1])
    body = {
        "schedules": [acting.own[0].pk],
        "reason": "r",
        "starts_at": later(60),
        "ends_at": later(30),
        "confirm": True,
    }
    response = post(bob, reverse("api:windows"), body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "A window must end after it starts."


def test_findings_are_listed_as_the_attention_page_filters_them(world):
    now = timezone.now()
    common = {"since": now, "opened_at": now, "seen_at": now, "message": "m"}
    Finding.objects.create(
        workspace=world.acme,
        rule="failing_schedule",
        severity="critical",
        subject_kind="schedule",
        subject_id="11",
        **common,
    )
    Finding.objects.create(
        workspace=world.acme,
        rule="failing_schedule",
        severity="critical",
        subject_kind="schedule",
        subject_id="12",
        resolved_at=now,
        **common,
    )
    Finding.objects.create(
        workspace=world.globex,
        rule="failing_schedule",
        severity="critical",
        subject_kind="schedule",
        subject_id="13",
        **common,
    )
    bob = api_client(make_token(world.bob)[1])
    rows = bob.get(reverse("api:findings")).json()["results"]
    assert [row["subject_id"] for row in rows] == ["11"]
    resolved = bob.get(reverse("api:findings"), {"show": "resolved"}).json()
    assert [row["subject_id"] for row in resolved["results"]] == ["12"]


def test_a_resync_through_the_api_is_in_the_activity_log_under_the_tokens_user(
    world,
):
    bob = api_client(make_token(world.bob)[1])
    post(bob, reverse("api:workspace_sync", args=[world.acme.pk]))
    rows = bob.get(reverse("api:activity"), {"action": "resync"}).json()["results"]
    assert [(r["username"], r["outcome"], r["workspace_id"]) for r in rows] == [
        ("bob", "queued", world.acme.pk)
    ]
    charlie = api_client(make_token(world.charlie)[1])
    assert charlie.get(reverse("api:activity")).json()["results"] == []


def test_a_plan_of_another_workspace_is_not_found(world):
    plan = make_asset(Plan, world.globex, 1_500_009)
    bob = api_client(make_token(world.bob)[1])
    url = reverse("api:run_now", args=[world.globex.pk, "plans", plan.aac_id])
    assert post(bob, url, {"confirm": True}).status_code == 404
