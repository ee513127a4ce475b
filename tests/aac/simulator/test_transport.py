"""The one request path over real HTTP: retries, timeouts, broken answers and
no token in any log line or error."""

import pytest

from aac.errors import (
    InvalidGrant,
    InvalidProjectId,
    ProtocolError,
    RateLimited,
    Unavailable,
)


def test_a_503_surfaces_after_the_get_retries(world):
    world.fault(kind="status", status=503)

    with pytest.raises(Unavailable) as info:
        list(world.client.iter_schedule_pages())

    assert info.value.status == 503
    assert info.value.request_id
    assert world.requests("schedules.list") == 3
    assert len(world.sleeps) == 2


def test_a_transient_503_is_retried_away(make_world):
    world = make_world(schedules=30)
    world.fault(kind="status", status=503, after=1, times=1)

    pages = list(world.client.iter_schedule_pages(page_size=10))

    assert sum(len(page) for page in pages) == 30
    assert world.requests("schedules.list") == 5


def test_a_rate_limit_surfaces_at_once_with_its_wait(world):
    world.fault(kind="rate_limit", retry_after=7)

    with pytest.raises(RateLimited) as info:
        world.client.count_schedules()

    assert info.value.retry_after == 7.0
    assert world.requests("schedules.count") == 1


@pytest.mark.parametrize(
    "kind", ["malformed_json", "html", "wrong_types", "missing_data"]
)
def test_a_broken_answer_is_a_protocol_error(world, kind):
    world.fault(kind=kind)

    with pytest.raises(ProtocolError):
        list(world.client.iter_schedule_pages())

    assert world.requests("schedules.list") == 1


@pytest.mark.parametrize("call", ["current_workspace", "get_schedule", "enable"])
def test_wrong_types_are_caught_on_every_object(world, call):
    schedule_id = world.schedule_of(world.admin)["id"]
    world.fault(kind="wrong_types")
    calls = {
        "current_workspace": world.client.current_workspace,
        "get_schedule": lambda: world.client.get_schedule(schedule_id),
        "enable": lambda: world.client.enable_schedule(schedule_id),
    }

    with pytest.raises(ProtocolError, match="is missing or not"):
        calls[call]()


def test_a_read_timeout_may_have_reached_aac(make_world):
    world = make_world(client_options={"read_timeout": 0.5, "get_attempts": 1})
    world.fault(kind="timeout", seconds=2)

    with pytest.raises(Unavailable) as info:
        world.client.current_workspace()

    assert info.value.maybe_sent is True


def test_no_token_reaches_any_log_line_over_real_http(make_world, raw_log_lines):
    world = make_world(client_options={"read_timeout": 0.5, "get_attempts": 2})
    client, pair = world.client, world.pair
    grant = client.refresh(pair.refresh_token, pair.client_id)
    failures = [
        {"kind": "status", "status": 503, "endpoint": "schedules.count", "times": 2},
        {"kind": "html", "endpoint": "workspaces.current", "times": 1},
        {"kind": "timeout", "seconds": 1, "endpoint": "schedules.list", "times": 2},
        {"kind": "drop", "endpoint": "token", "times": 1},
        {"kind": "rate_limit", "endpoint": "plans.run", "times": 1},
    ]
    for fault in failures:
        world.fault(**fault)
    calls = [
        client.count_schedules,
        client.current_workspace,
        lambda: list(client.iter_schedule_pages()),
        lambda: client.refresh(grant.refresh_token, pair.client_id),
        lambda: client.refresh(grant.refresh_token, pair.client_id),
        lambda: client.current_workspace_via_gateway("wrong"),
        lambda: client.run_plan(world.plan().id, execution_id="press-1"),
    ]

    errors = []
    for call in calls:
        with pytest.raises(
            (Unavailable, ProtocolError, InvalidGrant, InvalidProjectId, RateLimited)
        ) as info:
            call()
        errors.append(info.value)

    secrets = [pair.access_token, pair.refresh_token, grant.refresh_token]
    texts = [line for _, line in raw_log_lines]
    texts += [f"{error!s} {error!r} {error.args!r}" for error in errors]
    assert any(name.startswith("urllib3") for name, _ in raw_log_lines)
    assert any(name == "aac.transport" for name, _ in raw_log_lines)
    for text in texts:
        for secret in secrets:
            assert secret not in text
