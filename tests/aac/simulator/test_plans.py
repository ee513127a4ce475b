"""Plans over HTTP: list by ownership, count, full, run."""

import pytest

from aac.errors import NotFound
from tests.aac.simulator.world import everything, ids


@pytest.mark.parametrize("ownership", ["all", "owned", "shared"])
def test_it_lists_and_counts_plans_by_ownership(make_world, ownership):
    world = make_world(schedules=200)
    me = world.most_shared_with("plan")
    client = world.client_for(world.pair_for(me))

    plans = everything(client.iter_plan_pages(ownership=ownership))

    assert ids(plans) == world.asset_ids("plan", ownership, me)
    assert plans
    assert client.count_plans(ownership=ownership) == len(plans)


def test_by_default_it_lists_and_counts_everyones_plans(make_world):
    world = make_world(schedules=200)

    plans = everything(world.client.iter_plan_pages())

    assert len(world.asset_ids("plan", "owned", world.admin)) < len(plans)
    assert ids(plans) == world.asset_ids("plan", "all", world.admin)
    assert world.client.count_plans() == len(plans)


def test_it_pages_plans_with_the_total(world):
    every = world.asset_ids("plan", "all", world.admin)

    pages = list(world.client.iter_plan_pages(page_size=4, include_count=True))

    assert ids(everything(pages)) == every
    assert {page.total for page in pages} == {len(every)}
    assert world.requests("plans.list") == -(-len(every) // 4)


def test_it_reads_a_plan_in_full_with_the_flows_it_runs(world):
    plan = world.plan()

    full = world.client.get_plan_full(plan.id)

    assert (full["id"], full["name"]) == (plan.id, plan.name)
    assert [task["flow"]["id"] for task in full["tasks"]] == list(plan.flow_ids)


def test_it_runs_a_plan_and_the_run_is_its_latest(world):
    plan = world.plan()

    started = world.client.run_plan(plan.id)

    assert started.validation_status == "Valid"
    assert started.started
    assert started.request_id
    run = world.client.get_plan_snapshot_run(started.plan_snapshot_run_id)
    assert (run.status, run.raw["plan"]["id"], run.raw["ranfrom"]) == (
        "Created",
        plan.id,
        "api",
    )
    listed = {p["id"]: p for p in everything(world.client.iter_plan_pages())}
    latest = listed[plan.id]["latestPlanSnapshotRun"]
    assert latest["id"] == started.plan_snapshot_run_id


def test_a_plan_missing_a_flow_is_validated_but_not_run(make_world):
    world = make_world(schedules=300)
    before = len(world.runs())

    started = world.client.run_plan(world.plan(runnable=False).id)

    assert started.validation_status == "MissingFlowReferences"
    assert not started.started
    assert world.runs_after(before) == []


@pytest.mark.parametrize("call", ["get_plan_full", "run_plan"])
def test_an_unknown_plan_is_not_found(world, call):
    with pytest.raises(NotFound) as info:
        getattr(world.client, call)(999)

    assert info.value.code == "DataNotFoundException"
