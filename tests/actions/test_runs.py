"""Run now: one run per press whatever is retried, followed to AAC's end, a
quota answer said as AAC's limit, kinds the portal cannot start refused."""

import time

import pytest

from aacsim import Fault
from actions.models import RunRequest
from actions.runs import (
    AlreadyPressed,
    follow,
    new_execution_id,
    request_run,
    start,
    target_of_asset,
    target_of_schedule,
)
from activity.models import Entry
from schedules.models import Plan, Schedule, SyncRun
from tests.actions.worlds import acting_world


@pytest.fixture
def world(db, make_sim_workspace):
    return acting_world(make_sim_workspace)


@pytest.fixture
def plan(world, aac_sim):
    """A plan AAC can start: none of its flows deleted."""
    assets = aac_sim.sim.workspace(world.remote.id).assets.by_kind
    whole = [
        plan.id
        for plan in assets["plan"].values()
        if all(flow in assets["flow"] for flow in plan.flow_ids)
    ]
    return Plan.objects.filter(workspace=world.workspace, aac_id__in=whole).first()


def api_runs(aac_sim, world, plan) -> int:
    remote = aac_sim.sim.workspace(world.remote.id)
    return sum(
        1
        for run in remote.runs.runs
        if run.ranfrom == "api" and run.asset.id == plan.aac_id
    )


def press(world, plan, execution_id=None) -> RunRequest:
    return request_run(
        actor=world.bob,
        target=target_of_asset(plan),
        execution_id=execution_id or new_execution_id(),
    )


def follow_to_the_end(run: RunRequest, *, seconds: float = 15) -> RunRequest:
    deadline = time.monotonic() + seconds
    while follow(run.pk) and time.monotonic() < deadline:
        time.sleep(0.3)
    run.refresh_from_db()
    return run


def test_it_starts_the_run_and_follows_it_to_complete(world, plan, aac_sim):
    aac_sim.sim.set_next_run(
        world.remote.id, "plan", plan.aac_id, status="Complete", duration=1, queued=0
    )
    run = press(world, plan)

    assert start(run.pk) is True
    run.refresh_from_db()
    assert (run.status, run.connection) == ("started", world.connection)
    assert run.aac_run_id
    assert run.aac_request_id
    run = follow_to_the_end(run)
    assert (run.status, run.aac_status, run.message) == (
        "complete",
        "Complete",
        "Complete.",
    )
    assert api_runs(aac_sim, world, plan) == 1
    # A sync brings it into the run history.
    assert SyncRun.objects.filter(
        workspace=world.workspace, status="queued", requested_by=world.bob
    ).exists()
    rows = Entry.objects.filter(action="run_now").order_by("id")
    assert [(e.outcome, e.username) for e in rows] == [
        ("queued", "bob"),
        ("succeeded", "bob"),
        ("succeeded", "bob"),
    ]
    assert {e.aac_execution_id for e in rows} == {run.execution_id}


def test_a_failed_run_ends_failed_with_aacs_message(world, plan, aac_sim):
    aac_sim.sim.set_next_run(
        world.remote.id,
        "plan",
        plan.aac_id,
        status="Failed",
        message="Access denied to s3://sales/2026",
        duration=1,
        queued=0,
    )
    run = press(world, plan)
    start(run.pk)
    run = follow_to_the_end(run)
    assert (run.status, run.message) == (
        "failed",
        "Failed: Access denied to s3://sales/2026",
    )
    assert Entry.objects.filter(action="run_now", outcome="failed").get().message == (
        run.message
    )


def test_a_retried_call_after_a_dropped_answer_starts_exactly_one_run(
    world, plan, aac_sim
):
    aac_sim.sim.faults.add(
        Fault(kind="drop", workspace=world.remote.id, endpoint="plans.run", times=1)
    )
    run = press(world, plan)

    assert start(run.pk) is True

    run.refresh_from_db()
    assert api_runs(aac_sim, world, plan) == 1
    assert run.status == "started"
    assert "already started a run" in run.message
    assert run.aac_run_id is not None  # found in the job library
    assert run.aac_job_group_id is not None


def test_the_same_form_sent_twice_is_one_press(world, plan):
    execution_id = new_execution_id()
    assert press(world, plan, execution_id) == press(world, plan, execution_id)
    assert RunRequest.objects.count() == 1


def test_two_operators_pressing_at_once_start_one(world, plan, aac_sim):
    first = press(world, plan)
    with pytest.raises(AlreadyPressed) as caught:
        press(world, plan)
    assert caught.value.request == first
    start(first.pk)
    assert api_runs(aac_sim, world, plan) == 1


def test_a_quota_answer_says_aacs_limit_and_when_to_try_again(world, plan, aac_sim):
    aac_sim.sim.faults.add(
        Fault(kind="rate_limit", workspace=world.remote.id, endpoint="plans.run")
    )
    run = press(world, plan)

    assert start(run.pk) is False

    run.refresh_from_db()
    assert (run.status, run.quota) == ("failed", 30)
    assert run.message.startswith("AAC allows 30 runs per minute; try again at ")
    assert run.retry_at is not None
    assert aac_sim.sim.stats.requests[(world.remote.id, "plans.run")] == 1


def test_a_task_kind_the_portal_cannot_start_is_refused_with_the_reason(world):
    schedule = Schedule.objects.filter(workspace=world.workspace).first()
    schedule.task_kind = "report"
    target = target_of_schedule(schedule)
    assert target.refusal == (
        "AAC's API has no call that starts a report task; run it in AAC."
    )
