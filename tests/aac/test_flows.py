import json

import pytest

from aac import AlreadyStarted, FlowRunStarted
from aac.errors import NotFound, ProtocolError, RateLimited
from tests.aac.answers import add_page, items, v4_error
from tests.aac.conftest import API

RUN = f"{API}/v4/flows/4/run"


@pytest.mark.parametrize(("ownership", "sent"), [(None, "all"), ("owned", "owned")])
def test_it_lists_flows_by_ownership(client, rsps, ownership, sent):
    params = {"limit": 3, "offset": 0, "includeCount": "true", "ownershipFilter": sent}
    add_page(rsps, "/v4/flows", params=params, items=items(1, 2), count=2)
    options = {"ownership": ownership} if ownership else {}

    (page,) = client.iter_flow_pages(page_size=3, include_count=True, **options)

    assert page == items(1, 2)
    assert page.total == 2


def test_it_refuses_a_flow_ownership_filter_aac_does_not_know(client, rsps):
    with pytest.raises(ValueError, match="ownership"):
        client.iter_flow_pages(ownership="mine")

    assert len(rsps.calls) == 0


def test_it_runs_a_flow_with_an_empty_body_and_its_execution_id(client, rsps):
    body = {"flowRunId": 8, "data": [{"id": 80, "reason": "JobStarted"}, {"id": 81}]}
    rsps.post(RUN, json=body, headers={"x-trifacta-request-id": "rq-1"})

    started = client.run_flow(4, execution_id="press-2")

    assert started == FlowRunStarted(8, (80, 81), "rq-1")
    request = rsps.calls[0].request
    assert json.loads(request.body) == {}
    assert request.headers["x-execution-id"] == "press-2"


def test_a_repeated_flow_run_is_already_started(client, rsps):
    rsps.post(RUN, status=304)

    assert client.run_flow(4, execution_id="press-2") == AlreadyStarted("press-2", None)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"data": []}, "`flowRunId`"),
        ({"flowRunId": 8}, "`data`"),
        ({"flowRunId": 8, "data": [{"reason": "JobStarted"}]}, "data[0].id"),
        ({"flowRunId": 8, "data": ["80"]}, "data[0]"),
    ],
)
def test_it_refuses_a_flow_run_answer_it_cannot_follow(client, rsps, body, problem):
    rsps.post(RUN, json=body)

    with pytest.raises(ProtocolError) as info:
        client.run_flow(4)

    assert problem in str(info.value)


def test_it_maps_a_missing_flow_and_a_quota(client, rsps):
    rsps.post(RUN, status=404, json=v4_error("DataNotFoundException", "No flow 4"))
    rsps.post(
        RUN,
        status=429,
        json=v4_error("TooManyRequestsException", "Slow"),
        headers={"x-rate-limit-user-limit": "20", "x-rate-limit-user-remaining": "0"},
    )

    with pytest.raises(NotFound):
        client.run_flow(4, execution_id="a")
    with pytest.raises(RateLimited) as info:
        client.run_flow(4, execution_id="b")

    assert info.value.limits.exhausted[1].limit == 20
