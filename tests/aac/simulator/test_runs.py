"""Runs one at a time over HTTP: plan snapshot runs (list, get, cancel), flow
runs and job groups, following the simulator's clock through the states."""

from datetime import UTC, datetime, timedelta

import pytest

from aac.errors import NotFound, Rejected
from tests.aac.simulator.world import everything, ids


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.mark.parametrize("status", ["Complete", "Failed"])
def test_it_lists_plan_runs_by_status_since_a_moment(world, clock, status):
    since = at(clock() - 86400)
    now = clock()
    store = world.workspace.runs
    wanted = [
        store.run_id(run)
        for run in reversed(world.runs())
        if run.asset.kind == "plan"
        and run.created >= since.timestamp()
        and run.status(now) == status
    ]

    pages = list(
        world.client.iter_plan_snapshot_run_pages(
            status=status, created_since=since, page_size=20, include_count=True
        )
    )

    runs = everything(pages)
    assert wanted
    assert ids(runs) == wanted
    assert {page.total for page in pages} == {len(wanted)}
    assert {run["status"] for run in runs} == {status}
    assert min(run["createdAt"] for run in runs) >= since.isoformat()[:19]


def test_it_follows_a_plan_run_from_created_to_complete(world, clock):
    plan = world.plan()
    world.sim.set_next_run(world.workspace.id, "plan", plan.id, queued=5, duration=60)
    run_id = world.client.run_plan(plan.id).plan_snapshot_run_id
    started = clock()

    states = []
    for step in (0, 5, 60):
        clock.advance(step)
        states.append(world.client.get_plan_snapshot_run(run_id))

    assert [run.status for run in states] == ["Created", "InProgress", "Complete"]
    assert [run.finished for run in states] == [False, False, True]
    done = states[-1]
    assert done.created_at == at(started)
    assert done.started_at == at(started + 5)
    assert done.finished_at == done.updated_at == at(started + 65)
    assert states[0].started_at is None
    assert done.request_id


def test_it_cancels_a_plan_run_and_refuses_to_cancel_it_twice(world):
    run_id = world.unfinished_plan_run()

    assert world.client.cancel_plan_snapshot_run(run_id) is None
    run = world.client.get_plan_snapshot_run(run_id)
    with pytest.raises(Rejected) as info:
        world.client.cancel_plan_snapshot_run(run_id)

    assert (run.status, run.finished) == ("Canceled", True)
    assert run.finished_at is not None
    assert (info.value.status, info.value.code) == (400, "ValidationFailed")


def test_a_failed_flow_run_says_so_on_every_route(world, clock):
    flow = world.flow()
    world.sim.set_next_run(
        world.workspace.id,
        "flow",
        flow.id,
        status="Failed",
        message="Table not found",
        duration=30,
        queued=1,
    )
    started = world.client.run_flow(flow.id)
    (job_group_id,) = started.job_group_ids

    assert world.client.get_flow_run_status(started.flow_run_id) == "Created"
    clock.advance(2)
    assert world.client.get_job_group_status(job_group_id) == "InProgress"
    clock.advance(30)
    flow_run = world.client.get_flow_run(started.flow_run_id)
    job_group = world.client.get_job_group(job_group_id)

    assert world.client.get_flow_run_status(started.flow_run_id) == "Failed"
    assert world.client.get_job_group_status(job_group_id) == "Failed"
    assert (flow_run.status, flow_run.finished) == ("Failed", True)
    assert flow_run.raw["errorMessage"] == "Table not found"
    assert (job_group.id, job_group.status) == (job_group_id, "Failed")
    assert job_group.finished_at - job_group.started_at == timedelta(seconds=30)


def test_a_job_group_from_history_matches_its_plan_run(world):
    run = world.run_of("plan")

    job_group = world.client.get_job_group(world.job_group_id(run))
    plan_run = world.client.get_plan_snapshot_run(world.run_id(run))

    assert job_group.raw["planSnapshotRun"] == {"id": plan_run.id}
    assert job_group.status == plan_run.status == run.outcome
    assert job_group.created_at == plan_run.created_at
    assert job_group.raw["ranfrom"] == plan_run.raw["ranfrom"] == run.ranfrom


@pytest.mark.parametrize(
    "call",
    [
        "get_plan_snapshot_run",
        "cancel_plan_snapshot_run",
        "get_flow_run",
        "get_flow_run_status",
        "get_job_group",
        "get_job_group_status",
    ],
)
def test_an_unknown_run_is_not_found(world, call):
    with pytest.raises(NotFound) as info:
        getattr(world.client, call)(999)

    assert info.value.code == "DataNotFoundException"


def test_a_plan_run_is_not_a_flow_run(world):
    plan_run_id = world.run_id(world.run_of("plan"))

    with pytest.raises(NotFound):
        world.client.get_flow_run(plan_run_id)
