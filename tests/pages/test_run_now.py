"""Run now from the pages: a confirmation naming the workspace, the asset and
the connection with an execution id of its own; the press and its live page;
no button, with the reason, for what the portal cannot start."""

import re

import pytest
from django.urls import reverse

from actions.models import RunRequest
from schedules.models import Plan, Workflow
from tests.factories import make_asset, make_schedule


@pytest.fixture
def plan(world):
    connection = world.acme.connections.get()
    connection.aac_person_id = "11"
    connection.person_name = "Ann Admin"
    connection.save(update_fields=["aac_person_id", "person_name"])
    return make_asset(
        Plan, world.acme, 1_500_001, name="Nightly ledger", owner_aac_id=11
    )


def confirm_url(world, kind, aac_id) -> str:
    return reverse("pages:run_now", args=[world.acme.pk, kind, aac_id])


def execution_id(text: str) -> str:
    return re.search(r'name="execution_id" value="([^"]+)"', text).group(1)


def test_the_confirmation_names_workspace_asset_and_connection(login, world, plan):
    client = login(world.bob)
    first = client.get(confirm_url(world, "plan", plan.aac_id)).text
    assert '<dd id="run-workspace">Acme EU</dd>' in first
    assert "Nightly ledger" in first
    assert '<dd id="run-connection">Ann Admin</dd>' in first
    second = client.get(confirm_url(world, "plan", plan.aac_id)).text
    assert execution_id(first) != execution_id(second)  # one per press


def test_a_schedules_row_runs_its_plan(login, world, plan):
    schedule = make_schedule(world.acme, task_kind="plan", target_id=str(plan.aac_id))
    text = login(world.bob).get(confirm_url(world, "schedule", schedule.aac_id)).text
    assert "Nightly ledger" in text
    assert f"<dd>{schedule.aac_id}</dd>" in text


def test_pressing_queues_the_run_and_sending_the_form_again_is_the_same_press(
    login, world, plan, django_capture_on_commit_callbacks
):
    client = login(world.bob)
    url = confirm_url(world, "plan", plan.aac_id)
    form = {"execution_id": execution_id(client.get(url).text)}
    with django_capture_on_commit_callbacks() as published:
        first = client.post(url, form)
        again = client.post(url, form)
    run = RunRequest.objects.get()
    assert first["Location"] == again["Location"] == f"/run-requests/{run.pk}/"
    assert (run.execution_id, run.requested_by) == (form["execution_id"], world.bob)
    assert len(published) == 1
    page = client.get(first["Location"])
    assert 'data-status="queued"' in page.text
    assert 'hx-trigger="every 1s"' in page.text


def test_a_second_operators_press_follows_the_first(login, world, plan, client):
    RunRequest.objects.create(
        workspace=world.acme,
        execution_id="aacportal-first",
        asset_kind="plan",
        asset_aac_id=str(plan.aac_id),
        requested_by_name="alice",
    )
    response = login(world.bob).post(
        confirm_url(world, "plan", plan.aac_id), {"execution_id": "aacportal-second"}
    )
    assert response.status_code == 409
    assert "alice pressed Run now for it moments ago" in response.text
    assert RunRequest.objects.count() == 1


def test_a_desktop_workflow_shows_no_button_but_the_reason(login, world):
    make_asset(
        Workflow, world.acme, "01HZX3Q4W5E6R7T8Y9U0I1O2P3", workflow_type="DESKTOP"
    )
    client = login(world.bob)
    url = confirm_url(world, "workflow", "01HZX3Q4W5E6R7T8Y9U0I1O2P3")
    text = client.get(url).text
    assert "starts only cloud workflows" in text
    assert 'id="confirm-run"' not in text
    response = client.post(url, {"execution_id": "aacportal-desktop"})
    assert response.status_code == 400
    assert RunRequest.objects.count() == 0


def test_a_report_schedule_page_shows_why_there_is_no_run_button(login, world):
    schedule = make_schedule(world.acme, task_kind="report")
    text = (
        login(world.bob)
        .get(reverse("pages:schedule", args=[world.acme.pk, schedule.aac_id]))
        .text
    )
    assert 'id="run-now"' not in text
    assert "AAC&#x27;s API has no call that starts a report task" in text


def test_a_quota_refusal_says_aacs_limit_and_stops_polling(login, world, plan):
    run = RunRequest.objects.create(
        workspace=world.acme,
        execution_id="aacportal-quota",
        asset_kind="plan",
        asset_aac_id=str(plan.aac_id),
        status="failed",
        quota=30,
        retry_at="2026-03-01T12:05:00Z",
        message="AAC allows 30 runs per minute; try again at 12:05 UTC.",
    )
    text = login(world.carol).get(reverse("pages:run_request", args=[run.pk])).text
    assert "AAC allows 30 runs per minute; try again at" in text
    assert "hx-trigger" not in text


def test_viewers_cannot_open_the_confirmation_nor_press(login, world, plan):
    client = login(world.carol)
    url = confirm_url(world, "plan", plan.aac_id)
    assert client.get(url).status_code == 403
    assert client.post(url, {"execution_id": "aacportal-viewer"}).status_code == 403
    asset_page = client.get(reverse("pages:plan", args=[world.acme.pk, plan.aac_id]))
    assert 'id="run-now"' not in asset_page.text


@pytest.mark.parametrize(
    ("kind", "aac_id"), [("job", "1"), ("plan", "x"), ("plan", "9")]
)
def test_unknown_kinds_and_ids_are_404(login, world, plan, kind, aac_id):
    assert login(world.bob).get(confirm_url(world, kind, aac_id)).status_code == 404
