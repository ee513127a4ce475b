"""Each asset's last run and failure streak, and the hourly counts, kept from
the runs a sync wrote (the `pending` ones), not from the whole history."""

from datetime import UTC, datetime, timedelta

import pytest

from schedules.assets.models import Flow, Plan, Run, RunHour, Workflow
from schedules.assets.rollups import after_runs
from tests.factories import make_aac_run, make_asset, make_workspace

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return NOON + timedelta(minutes=minutes)


@pytest.fixture
def workspace():
    return make_workspace()


def runs_of(asset, *statuses, start=0):
    """Runs of `asset`, ten minutes apart, in the given order (oldest first)."""
    return [
        make_aac_run(
            asset.workspace, asset=asset, status=status, created=at(start + 10 * i)
        )
        for i, status in enumerate(statuses)
    ]


def test_an_asset_counts_its_failures_since_its_last_complete_run(workspace):
    plan = make_asset(Plan, workspace, 1500001)
    runs_of(plan, "Failed", "Complete", "Failed", "Canceled", "Failed", "InProgress")

    after_runs(workspace, NOON)

    plan.refresh_from_db()
    assert (plan.last_run_status, plan.last_run_at) == ("InProgress", at(50))
    assert plan.last_success_at == at(10)
    assert plan.failure_streak == 2


def test_a_complete_run_ends_a_streak(workspace):
    flow = make_asset(Flow, workspace, 1700001)
    runs_of(flow, "Failed", "Failed", "Failed")
    after_runs(workspace, NOON)
    runs_of(flow, "Complete", start=100)

    after_runs(workspace, NOON)

    flow.refresh_from_db()
    assert (flow.failure_streak, flow.last_run_status) == (0, "Complete")


def test_an_asset_that_never_succeeded_counts_every_failure(workspace):
    workflow = make_asset(Workflow, workspace, "01HZX3Q4W5E6R7T8Y9U0I1O2P3")
    runs_of(workflow, "Failed", "Failed")

    after_runs(workspace, NOON)

    workflow.refresh_from_db()
    assert (workflow.failure_streak, workflow.last_success_at) == (2, None)


def test_only_the_assets_of_pending_runs_are_worked_out_again(workspace):
    plan, other = make_asset(Plan, workspace, 1), make_asset(Plan, workspace, 2)
    runs_of(plan, "Failed")
    runs_of(other, "Failed")
    Run.objects.filter(asset_aac_id="2").update(pending=False)

    after_runs(workspace, NOON)

    assert Plan.objects.get(aac_id=1).failure_streak == 1
    assert Plan.objects.get(aac_id=2).failure_streak == 0
    assert not Run.objects.filter(pending=True).exists()


def test_hours_are_counted_by_status(workspace):
    plan, flow = make_asset(Plan, workspace, 1), make_asset(Flow, workspace, 2)
    runs_of(plan, "Complete", "Failed", "Complete")  # 12:00, 12:10, 12:20
    runs_of(flow, "Complete", start=70)  # 13:10
    make_aac_run(workspace, asset=flow, status="Failed", created=at(75), ranfrom="ui")

    after_runs(workspace, NOON)

    rows = RunHour.objects.values_list("hour", "status", "runs")
    assert sorted(rows) == [
        (NOON, "Complete", 2),
        (NOON, "Failed", 1),
        (at(60), "Complete", 1),
        (at(60), "Failed", 1),
    ]


def test_an_hour_is_counted_again_when_a_run_in_it_changes(workspace):
    plan = make_asset(Plan, workspace, 1)
    [first, _] = runs_of(plan, "InProgress", "Complete")
    after_runs(workspace, NOON)
    Run.objects.filter(pk=first.pk).update(status="Failed", pending=True)

    after_runs(workspace, NOON)

    rows = RunHour.objects.values_list("status", "runs")
    assert sorted(rows) == [("Complete", 1), ("Failed", 1)]


def test_only_the_hours_of_pending_runs_are_counted_again(workspace):
    plan = make_asset(Plan, workspace, 1)
    runs_of(plan, "Complete", start=-120)  # 10:00
    after_runs(workspace, NOON)
    # Were 10:00 counted again, this row would be put right.
    RunHour.objects.update(runs=99)
    runs_of(plan, "Complete")  # 12:00

    after_runs(workspace, NOON)

    rows = RunHour.objects.values_list("hour", "runs")
    assert sorted(rows) == [(at(-120), 99), (NOON, 1)]
