import json

import pytest
from responses import matchers

from aac import AlreadyStarted, PlanRunStarted
from aac.errors import AccessDenied, NotFound, ProtocolError, RateLimited, Rejected
from tests.aac.answers import add_page, items, v4_error
from tests.aac.conftest import API

PLANS = f"{API}/v4/plans"
RUN = f"{PLANS}/3/run"


@pytest.mark.parametrize(("ownership", "sent"), [(None, "all"), ("owned", "owned")])
def test_it_lists_plans_by_ownership(client, rsps, ownership, sent):
    params = {"limit": 2, "offset": 0, "ownershipFilter": sent}
    add_page(rsps, "/v4/plans", params=params, items=items(1, 1))
    options = {"ownership": ownership} if ownership else {}

    pages = list(client.iter_plan_pages(page_size=2, **options))

    assert pages == [items(1, 1)]


def test_it_refuses_an_ownership_filter_aac_does_not_know(client, rsps):
    with pytest.raises(ValueError, match="ownership"):
        client.iter_plan_pages(ownership="mine")
    with pytest.raises(ValueError, match="ownership"):
        client.count_plans(ownership="mine")

    assert len(rsps.calls) == 0


@pytest.mark.parametrize(("ownership", "sent"), [(None, "all"), ("shared", "shared")])
def test_it_counts_plans_by_ownership(client, rsps, ownership, sent):
    rsps.get(
        f"{PLANS}/count",
        json={"count": 4},
        match=[matchers.query_param_matcher({"ownershipFilter": sent})],
    )
    options = {"ownership": ownership} if ownership else {}

    assert client.count_plans(**options) == 4


def test_it_refuses_a_plan_count_that_is_not_a_count(client, rsps):
    rsps.get(f"{PLANS}/count", json={"count": -4})

    with pytest.raises(ProtocolError, match="count"):
        client.count_plans()


def test_it_reads_a_plan_in_full(client, rsps):
    plan = {"id": 3, "name": "Month end", "planSnapshots": {"data": []}}
    rsps.get(f"{PLANS}/3/full", json=plan)

    assert client.get_plan_full(3) == plan


def test_it_refuses_a_full_plan_without_an_id(client, rsps):
    rsps.get(f"{PLANS}/3/full", json={"name": "no id"})

    with pytest.raises(ProtocolError, match="`id`"):
        client.get_plan_full(3)


def test_it_runs_a_plan_with_its_execution_id(client, rsps):
    body = {"validationStatus": "Valid", "planSnapshotRunId": 41}
    rsps.post(RUN, json=body, headers={"x-trifacta-request-id": "rq-9"})

    started = client.run_plan(3, execution_id="press-1")

    assert started == PlanRunStarted("Valid", 41, "rq-9")
    assert started.started
    request = rsps.calls[0].request
    assert request.headers["x-execution-id"] == "press-1"
    assert json.loads(request.body) == {}


def test_it_runs_a_plan_without_an_execution_id(client, rsps):
    rsps.post(RUN, json={"validationStatus": "Valid", "planSnapshotRunId": 41})

    client.run_plan(3)

    assert "x-execution-id" not in rsps.calls[0].request.headers


def test_a_repeated_execution_id_is_already_started_not_an_error(client, rsps):
    rsps.post(RUN, status=304, headers={"x-trifacta-request-id": "rq-10"})

    assert client.run_plan(3, execution_id="press-1") == AlreadyStarted(
        "press-1", "rq-10"
    )


def test_a_plan_that_fails_validation_starts_no_run(client, rsps):
    rsps.post(RUN, json={"validationStatus": "MissingFlowReferences"})

    started = client.run_plan(3, execution_id="press-1")

    assert started.validation_status == "MissingFlowReferences"
    assert started.plan_snapshot_run_id is None
    assert not started.started


@pytest.mark.parametrize(
    "body",
    [
        {"validationStatus": "Valid"},
        {"validationStatus": "Valid", "planSnapshotRunId": "41"},
        {"validationStatus": "Invalid", "planSnapshotRunId": True},
        {"planSnapshotRunId": 41},
        [],
    ],
)
def test_it_refuses_a_run_answer_it_cannot_follow(client, rsps, body):
    rsps.post(RUN, json=body)

    with pytest.raises(ProtocolError):
        client.run_plan(3, execution_id="press-1")


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (403, v4_error("AccessControlException", "Not yours"), AccessDenied),
        (404, v4_error("DataNotFoundException", "No plan 3"), NotFound),
        (400, v4_error("ValidationFailed", "Bad plan"), Rejected),
        (429, v4_error("TooManyRequestsException", "Slow"), RateLimited),
    ],
)
def test_it_maps_a_refused_plan_run(client, rsps, sleeps, status, body, error_class):
    rsps.post(RUN, status=status, json=body, headers={"x-retry-after": "20"})

    with pytest.raises(error_class):
        client.run_plan(3, execution_id="press-1")

    assert len(rsps.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize("execution_id", ["", "two words", "é"])
def test_it_refuses_an_execution_id_that_cannot_be_a_header(client, rsps, execution_id):
    with pytest.raises(ValueError, match="execution id"):
        client.run_plan(3, execution_id=execution_id)

    assert len(rsps.calls) == 0
