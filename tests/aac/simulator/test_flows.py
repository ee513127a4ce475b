"""Flows over HTTP: list by ownership, run, and the job groups a run names."""

import pytest

from aac.errors import NotFound
from tests.aac.simulator.world import everything, ids


@pytest.mark.parametrize("ownership", ["all", "owned", "shared"])
def test_it_lists_flows_by_ownership(make_world, ownership):
    world = make_world(schedules=200)
    me = world.most_shared_with("flow")

    pages = list(
        world.client_for(world.pair_for(me)).iter_flow_pages(
            ownership=ownership, page_size=25, include_count=True
        )
    )

    flows = everything(pages)
    assert flows
    assert ids(flows) == world.asset_ids("flow", ownership, me)
    assert {page.total for page in pages} == {len(flows)}


def test_by_default_it_lists_everyones_flows(world):
    flows = everything(world.client.iter_flow_pages())

    assert ids(flows) == sorted(flow.id for flow in world.assets("flow"))


def test_it_runs_a_flow_and_names_the_job_groups_it_started(world):
    flow = world.flow()
    before = len(world.runs())

    started = world.client.run_flow(flow.id)

    (job_group_id,) = started.job_group_ids
    flow_run = world.client.get_flow_run(started.flow_run_id)
    job_group = world.client.get_job_group(job_group_id)
    assert flow_run.raw["flow"]["id"] == flow.id
    assert ids(flow_run.raw["jobGroups"]["data"]) == [job_group_id]
    assert job_group.raw["flowRun"] == {"id": started.flow_run_id}
    assert job_group.raw["ranfor"] == "flow"
    assert [world.job_group_id(run) for run in world.runs_after(before)] == [
        job_group_id
    ]


def test_an_unknown_flow_is_not_found(world):
    with pytest.raises(NotFound) as info:
        world.client.run_flow(999)

    assert info.value.code == "DataNotFoundException"
