"""Evaluation: after every sync, cheap as the cache grows, switched by settings."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from attention.evaluate import evaluate_workspace
from attention.models import Finding
from attention.tasks import evaluate_all_workspaces
from schedules import tasks
from schedules.models import SyncRun
from tests.attention.world import NOW, SCENARIOS, evaluate, open_findings
from tests.factories import make_aac_run, make_run, make_schedules, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def statements(workspace) -> int:
    with CaptureQueriesContext(connection) as queries:
        evaluate(workspace)
    return len(queries)


def busy_workspace(name, schedules):
    """Every rule finds something, and `schedules` schedules more on top."""
    workspace = make_workspace(name)
    for arrange, _ in SCENARIOS.values():
        if arrange.__name__ != "_partial":
            arrange(workspace)
    make_schedules(workspace, schedules, start_id=1000, now=NOW)
    for i in range(schedules // 10):
        make_aac_run(
            workspace,
            status="Failed",
            created=NOW - timedelta(minutes=i),
            schedule_aac_id=1000 + i,
        )
    return workspace


def test_it_costs_the_same_statements_for_ten_or_five_hundred_schedules():
    small, large = busy_workspace("Small", 10), busy_workspace("Large", 500)
    evaluate(small), evaluate(large)

    assert statements(small) == statements(large) <= 30
    assert (
        Finding.objects.filter(workspace=large).count()
        > Finding.objects.filter(workspace=small).count()
    )


def test_it_finds_the_same_on_a_second_evaluation_and_writes_only_the_seen_time():
    workspace = busy_workspace("Acme", 20)
    first = evaluate(workspace)

    again = evaluate(workspace, NOW)

    assert first.opened > 10
    assert (again.opened, again.resolved) == (0, 0)


def test_a_rule_switched_off_in_settings_finds_nothing_and_its_findings_resolve(
    settings,
):
    workspace = make_workspace("Acme EU")
    SCENARIOS["frequent_schedule"][0](workspace)
    evaluate(workspace)
    settings.AAC_ATTENTION_RULES = {"frequent_schedule": {"enabled": False}}

    evaluate(workspace)

    assert open_findings(workspace, "frequent_schedule") == []


def test_a_threshold_comes_from_settings(settings):
    workspace = make_workspace("Acme EU")
    SCENARIOS["failing_schedule"][0](workspace)  # two failed runs
    settings.AAC_ATTENTION_RULES = {"failing_schedule": {"runs": 3}}

    evaluate(workspace)

    assert open_findings(workspace, "failing_schedule") == []


def test_a_failing_schedule_is_failing_since_its_first_failed_run():
    workspace = make_workspace("Acme EU")
    SCENARIOS["failing_schedule"][0](workspace)

    evaluate(workspace)

    (finding,) = open_findings(workspace, "failing_schedule")
    assert finding.since == NOW - timedelta(hours=3)
    assert finding.message == "Its last 2 runs failed."


def test_an_inactive_workspace_is_watched_by_no_rule():
    workspace = make_workspace("Acme EU")
    SCENARIOS["owner_disabled"][0](workspace)
    evaluate(workspace)
    workspace.is_active = False
    workspace.save(update_fields=["is_active"])

    evaluate(workspace)

    assert Finding.objects.filter(resolved_at__isnull=True).count() == 0


def test_the_database_allows_one_open_finding_per_rule_and_subject():
    workspace = make_workspace("Acme EU")
    SCENARIOS["owner_disabled"][0](workspace)
    evaluate(workspace)
    (finding,) = open_findings(workspace, "owner_disabled")

    finding.pk = None
    with pytest.raises(IntegrityError):
        finding.save()


def test_a_sync_that_fails_opens_the_sync_failing_finding_from_its_task():
    workspace = make_workspace("Acme EU")  # a connection without tokens
    run = make_run(workspace)

    tasks.sync_workspace.apply(args=[run.pk])

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    (finding,) = open_findings(workspace, "sync_failing")
    assert run.error_message in finding.message


def test_evaluation_after_a_sync_never_fails_the_sync(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("a rule's bug")

    monkeypatch.setattr("attention.receivers.evaluate_workspace", broken)
    workspace = make_workspace("Acme EU")
    run = make_run(workspace)

    result = tasks.sync_workspace.apply(args=[run.pk])

    assert result.successful()
    assert "evaluating its rules failed" in caplog.text


def test_the_beat_task_evaluates_every_workspace():
    workspaces = [make_workspace(f"WS {i}") for i in range(3)]
    for workspace in workspaces:
        SCENARIOS["owner_disabled"][0](workspace)

    evaluate_all_workspaces.apply()

    assert Finding.objects.filter(rule="owner_disabled").count() == 3


def test_it_keeps_the_earliest_since():
    workspace = make_workspace("Acme EU")
    SCENARIOS["owner_disabled"][0](workspace)
    evaluate_workspace(workspace=workspace, now=NOW - timedelta(hours=5))

    evaluate(workspace)

    (finding,) = open_findings(workspace, "owner_disabled")
    assert finding.since == finding.opened_at == NOW - timedelta(hours=5)
