"""Faults on the endpoints of runs and assets, as the client's typed errors.

The simulator injects each fault on one endpoint (docs/aac-api.md, What the
simulator must do); the client must map it as for any other call: statuses
to their errors with AAC's name and request id kept, a quota to RateLimited
with its headers, a broken answer to ProtocolError, a lost connection to
Unavailable. GETs are retried on transient failures, run calls never.
"""

from datetime import UTC, datetime

import pytest

from aac.errors import (
    AccessDenied,
    NotFound,
    ProtocolError,
    RateLimited,
    Rejected,
    Unavailable,
)
from tests.aac.simulator.calls import NEW_CALLS

GET_ATTEMPTS = 3  # the client's default
# Faults that leave an answer the client rightly takes: a cancel's answer is
# unpublished, so any JSON will do; `missing_data` keeps a count route's count.
STILL_GOOD = {
    ("cancel_plan_snapshot_run", "wrong_types"),
    ("cancel_plan_snapshot_run", "missing_data"),
    ("count_plans", "missing_data"),
}


def attempts(call, error: type) -> int:
    return GET_ATTEMPTS if call.method == "GET" and error is Unavailable else 1


@pytest.mark.parametrize("call", NEW_CALLS, ids=str)
@pytest.mark.parametrize(
    ("status", "error"),
    [(503, Unavailable), (403, AccessDenied), (404, NotFound), (400, Rejected)],
)
def test_an_error_status_is_its_typed_error(world, call, status, error):
    world.fault(kind="status", status=status, endpoint=call.endpoint)

    with pytest.raises(error) as info:
        call.run(world)

    assert info.value.status == status
    assert info.value.code
    assert info.value.request_id
    assert world.requests(call.endpoint) == attempts(call, error)


@pytest.mark.parametrize("call", NEW_CALLS, ids=str)
def test_a_rate_limit_is_rate_limited_with_its_quota(world, clock, call):
    world.fault(kind="rate_limit", retry_after=9, endpoint=call.endpoint)

    with pytest.raises(RateLimited) as info:
        call.run(world)

    limits = info.value.limits
    scope, quota = limits.exhausted
    assert (scope, quota.remaining) == ("user", 0)
    assert quota.limit > 0
    assert info.value.retry_after == 9
    resets = datetime.fromtimestamp(clock() + 9, tz=UTC)
    assert limits.user.reset_at == limits.workspace.reset_at == resets
    assert world.requests(call.endpoint) == 1


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (call, kind)
        for call in NEW_CALLS
        for kind in ("malformed_json", "html", "wrong_types", "missing_data")
        if (call.name, kind) not in STILL_GOOD
    ],
    ids=str,
)
def test_a_broken_answer_is_a_protocol_error(world, call, kind):
    world.fault(kind=kind, endpoint=call.endpoint)

    with pytest.raises(ProtocolError):
        call.run(world)

    assert world.requests(call.endpoint) == 1


@pytest.mark.parametrize("kind", ["wrong_types", "missing_data"])
def test_a_cancel_takes_any_json_answer_and_the_run_is_read_again(world, kind):
    run_id = world.unfinished_plan_run()
    world.fault(kind=kind, endpoint="runs.plan.cancel")

    assert world.client.cancel_plan_snapshot_run(run_id) is None
    assert world.client.get_plan_snapshot_run(run_id).status == "Canceled"


@pytest.mark.parametrize("call", NEW_CALLS, ids=str)
def test_a_dropped_connection_is_unavailable_and_may_have_acted(world, call):
    world.fault(kind="drop", endpoint=call.endpoint)

    with pytest.raises(Unavailable) as info:
        call.run(world)

    assert info.value.maybe_sent is True
    assert world.requests(call.endpoint) == attempts(call, Unavailable)
