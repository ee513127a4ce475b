"""Cloud-native workflows over HTTP: both lists, and running one on the
workflow service."""

import pytest

from aac.errors import NotFound, Rejected
from tests.aac.simulator.world import everything, ids


def test_it_lists_v4_workflows_with_the_total_aac_always_sends(world):
    every = sorted(workflow.id for workflow in world.assets("workflow"))

    pages = list(world.client.iter_workflow_pages(page_size=5))

    assert ids(everything(pages)) == every
    assert {page.total for page in pages} == {len(every)}
    assert world.requests("workflows.list") == -(-len(every) // 5)


@pytest.mark.parametrize("include_count", [False, True])
def test_the_workflow_service_lists_the_same_workflows(world, include_count):
    pages = list(
        world.client.iter_workflow_service_pages(
            page_size=5, include_count=include_count
        )
    )

    assert everything(pages) == everything(world.client.iter_workflow_pages())
    totals = {page.total for page in pages}
    assert totals == ({len(everything(pages))} if include_count else {None})


def test_it_runs_a_cloud_workflow_and_its_job_group_names_the_job(world):
    workflow = world.workflow("CLOUD")
    before = len(world.runs())

    started = world.client.run_workflow(workflow.id)

    assert started.job_status == "Created"
    job_group = world.client.get_job_group(started.job_group_id)
    assert job_group.raw["jobId"] == started.job_id
    assert job_group.raw["workflow"]["id"] == workflow.id
    assert [world.job_group_id(run) for run in world.runs_after(before)] == [
        started.job_group_id
    ]


def test_a_desktop_workflow_is_refused_in_the_services_words(world):
    before = len(world.runs())

    with pytest.raises(Rejected) as info:
        world.client.run_workflow(world.workflow("DESKTOP").id)

    assert (info.value.status, info.value.code) == (400, "BadRequestError")
    assert "DESKTOP" in str(info.value)
    assert world.runs_after(before) == []


def test_an_unknown_workflow_is_not_found_in_the_services_words(world):
    with pytest.raises(NotFound) as info:
        world.client.run_workflow("01ARZ3NDEKTSV4RRFFQ69G5FAV")

    assert info.value.code == "NotFoundError"
