"""Run calls over HTTP: one run per `x-execution-id`, and the quotas.

docs/aac-api.md, Conventions of the v4 API: a repeated execution id answers
304 and starts nothing, which the client returns as `AlreadyStarted`; over
quota AAC answers 429 with `x-retry-after` and the `x-rate-limit-*` headers,
which the client returns as `RateLimited` with the facts a message needs:
which quota, how many runs a minute, and when to try again.
"""

from datetime import UTC, datetime

import pytest

from aac import AlreadyStarted
from aac.errors import RateLimited, Unavailable
from tests.aac.simulator.world import KINDS, RUN_ENDPOINTS, everything, ids

QUOTAS = [("plan", 30, 60), ("flow", 20, 40), ("workflow", 30, 60)]
QUOTA_NAMES = {
    "plan": "TooManyRequestsException",
    "flow": "TooManyRequestsException",
    "workflow": "TooManyRequestsError",  # the workflow service's dialect
}


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_execution_id_starts_exactly_one_run(world, clock, kind):
    before = len(world.runs())

    started = world.start(kind, execution_id="press-1")
    again = world.start(kind, execution_id="press-1")
    other = world.start(kind, execution_id="press-2")

    assert not isinstance(started, AlreadyStarted)
    assert again == AlreadyStarted("press-1", again.request_id)
    assert again.request_id
    assert not isinstance(other, AlreadyStarted)
    new = world.runs_after(before)
    assert len(new) == 2
    library = world.client.iter_job_library_pages(
        ranfrom="api", ranfor=kind, created_since=at(clock()), sort="createdAt"
    )
    assert ids(everything(library)) == [world.job_group_id(run) for run in new]


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_run_answer_retried_with_its_id_starts_nothing_more(world, kind):
    before = len(world.runs())
    world.fault(kind="drop", endpoint=RUN_ENDPOINTS[kind], times=1)

    with pytest.raises(Unavailable) as info:
        world.start(kind, execution_id="press-1")
    retried = world.start(kind, execution_id="press-1")

    assert info.value.maybe_sent is True
    assert isinstance(retried, AlreadyStarted)
    assert len(world.runs_after(before)) == 1
    assert world.requests(RUN_ENDPOINTS[kind]) == 2


def test_a_run_answer_that_times_out_was_started_all_the_same(make_world):
    world = make_world(client_options={"read_timeout": 0.3})
    before = len(world.runs())
    world.fault(kind="timeout", seconds=1, endpoint="plans.run", times=1)

    with pytest.raises(Unavailable) as info:
        world.start("plan", execution_id="press-1")

    assert info.value.maybe_sent is True
    assert isinstance(world.start("plan", execution_id="press-1"), AlreadyStarted)
    assert len(world.runs_after(before)) == 1


@pytest.mark.parametrize(("kind", "per_user", "per_workspace"), QUOTAS)
def test_over_the_users_quota_it_is_rate_limited_with_the_facts(
    world, clock, kind, per_user, per_workspace
):
    for _ in range(per_user):
        world.start(kind)

    with pytest.raises(RateLimited) as info:
        world.start(kind)

    error = info.value
    assert (error.status, error.code) == (429, QUOTA_NAMES[kind])
    assert error.request_id
    scope, quota = error.limits.exhausted
    assert (scope, quota.limit, quota.remaining) == ("user", per_user, 0)
    assert error.retry_after == 60
    assert quota.reset_at == at(clock() + 60)
    workspace = error.limits.workspace
    assert (workspace.limit, workspace.remaining) == (
        per_workspace,
        per_workspace - per_user,
    )
    assert workspace.reset_at == at(clock() + 60)


@pytest.mark.parametrize(("kind", "per_user", "per_workspace"), QUOTAS)
def test_over_the_workspaces_quota_everyone_waits(
    world, clock, kind, per_user, per_workspace
):
    first, second, third = (
        world.client_for(world.pair_for(person)) for person in world.colleagues()[:3]
    )
    for client in (world.client, first, second)[: per_workspace // per_user]:
        for _ in range(per_user):
            world.start(kind, client=client)

    with pytest.raises(RateLimited) as info:
        world.start(kind, client=third)
    clock.advance(60)

    scope, quota = info.value.limits.exhausted
    assert (scope, quota.limit, quota.remaining) == ("workspace", per_workspace, 0)
    assert info.value.limits.user.remaining == per_user
    assert info.value.retry_after == 60
    assert not isinstance(world.start(kind, client=third), AlreadyStarted)


def test_the_reset_is_when_the_oldest_run_leaves_the_minute(world, clock):
    oldest = clock()
    world.start("flow")
    clock.advance(15.5)
    for _ in range(19):
        world.start("flow")

    with pytest.raises(RateLimited) as info:
        world.start("flow")
    clock.advance(44.5)

    limits = info.value.limits
    assert info.value.retry_after == 45
    assert limits.user.reset_at == limits.workspace.reset_at == at(oldest + 60)
    assert limits.user.reset < 10**11 < limits.workspace.reset  # seconds, ms
    assert not isinstance(world.start("flow"), AlreadyStarted)


def test_a_repeated_press_is_already_started_even_over_quota(world):
    for n in range(20):
        world.start("flow", execution_id=f"press-{n}")

    assert isinstance(world.start("flow", execution_id="press-3"), AlreadyStarted)
    with pytest.raises(RateLimited):
        world.start("flow", execution_id="press-20")
