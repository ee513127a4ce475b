import pytest

from aac import AlreadyStarted, WorkflowRunStarted
from aac.errors import NotFound, ProtocolError, Rejected
from tests.aac.answers import WORKFLOW_ID, add_page, service_error
from tests.aac.conftest import API

SERVICE = "/svc-workflow/api/v1/workflows"
RUN = f"{API}{SERVICE}/{WORKFLOW_ID}/run"


def workflows(n: int) -> list[dict]:
    return [{"id": f"01J8ZK3M4N5P6Q7R8S9T0V1W{i:02d}", "name": "w"} for i in range(n)]


def test_it_lists_v4_workflows_with_the_total_aac_always_sends(client, rsps):
    page = {"limit": 2, "offset": 0}
    add_page(rsps, "/v4/workflows", params=page, items=workflows(2), count=2)

    pages = list(client.iter_workflow_pages(page_size=2))

    assert pages == [workflows(2)]
    assert pages[0].total == 2
    assert len(rsps.calls) == 1


def test_it_refuses_workflows_with_numeric_ids(client, rsps):
    add_page(rsps, "/v4/workflows", params={"limit": 2, "offset": 0}, items=[{"id": 1}])

    with pytest.raises(ProtocolError, match=r"data\[0\]\.id"):
        next(client.iter_workflow_pages(page_size=2))


def test_it_lists_the_workflow_services_workflows(client, rsps):
    add_page(rsps, SERVICE, params={"limit": 2, "offset": 0}, items=workflows(2))
    add_page(rsps, SERVICE, params={"limit": 2, "offset": 2}, items=workflows(1))

    pages = list(client.iter_workflow_service_pages(page_size=2))

    assert [len(page) for page in pages] == [2, 1]


@pytest.mark.parametrize(
    "body",
    [
        {"jobId": 4039768, "jobStatus": "Queued", "jobgroupId": 4398357},
        {"jobId": "4039768", "jobStatus": "Queued", "jobgroupId": "4398357"},
    ],
)
def test_it_runs_a_workflow_once_per_execution_id(client, rsps, body):
    rsps.post(RUN, json=body, headers={"x-trifacta-request-id": "rq-3"})

    started = client.run_workflow(WORKFLOW_ID, execution_id="press-3")

    assert started == WorkflowRunStarted(4039768, "Queued", 4398357, "rq-3")
    request = rsps.calls[0].request
    assert request.headers["x-execution-id"] == "press-3"
    assert request.body is None


def test_a_repeated_workflow_run_is_already_started(client, rsps):
    rsps.post(RUN, status=304)

    result = client.run_workflow(WORKFLOW_ID, execution_id="press-3")

    assert result == AlreadyStarted("press-3", None)


@pytest.mark.parametrize(
    "body",
    [
        {"jobStatus": "Queued", "jobgroupId": 1},
        {"jobId": 1, "jobgroupId": 1},
        {"jobId": 1.5, "jobStatus": "Queued", "jobgroupId": 1},
        {"jobId": "x1", "jobStatus": "Queued", "jobgroupId": 1},
        {"jobId": 1, "jobStatus": "Queued", "jobgroupId": False},
    ],
)
def test_it_refuses_a_run_answer_it_cannot_follow(client, rsps, body):
    rsps.post(RUN, json=body)

    with pytest.raises(ProtocolError):
        client.run_workflow(WORKFLOW_ID)


def test_it_maps_the_workflow_services_errors(client, rsps):
    rsps.post(RUN, status=404, json=service_error("NotFoundError", "No workflow"))
    rsps.post(RUN, status=400, json=service_error("BadRequestError", "Invalid"))

    with pytest.raises(NotFound) as missing:
        client.run_workflow(WORKFLOW_ID)
    with pytest.raises(Rejected) as refused:
        client.run_workflow(WORKFLOW_ID)

    assert missing.value.code == "NotFoundError"
    assert refused.value.code == "BadRequestError"
    assert "Invalid" in str(refused.value)


@pytest.mark.parametrize("workflow_id", ["1234", "../../v4/people/aaaaaaaaaaaa", ""])
def test_it_refuses_a_workflow_id_that_is_not_a_ulid(client, rsps, workflow_id):
    with pytest.raises(ValueError, match="ULID"):
        client.run_workflow(workflow_id)

    assert len(rsps.calls) == 0
