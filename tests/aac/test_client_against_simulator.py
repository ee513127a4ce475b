"""The client against the simulator over real HTTP: sockets, timeouts, faults."""

import pytest

from aac import AACClient, Endpoints, parse_access_token
from aac.errors import (
    AuthError,
    InvalidGrant,
    InvalidProjectId,
    NotFound,
    ProtocolError,
    RateLimited,
    Unavailable,
)
from aac.jwt import check_issuer
from aacsim import Fault, Simulator
from aacsim.server import serve


@pytest.fixture
def connect(aac_sim, settings):
    """Make a workspace in the simulator and a client holding a fresh pair."""
    sleeps = []

    def connect(schedules=5, **options):
        workspace = aac_sim.sim.add_workspace(name="Client test", schedules=schedules)
        pair = aac_sim.sim.new_token_pair(workspace.id)
        endpoints = Endpoints.from_region(settings.AAC_REGIONS["sim"])
        client = AACClient(endpoints, pair.access_token, sleep=sleeps.append, **options)
        return workspace, pair, client

    connect.sleeps = sleeps
    return connect


def test_it_reads_the_workspace_a_token_belongs_to(connect):
    workspace, pair, client = connect()

    answer = client.current_workspace()

    assert (answer["id"], answer["gid"]) == (workspace.id, workspace.gid)
    claims = parse_access_token(pair.access_token)
    assert claims.workspace_gid == workspace.gid
    assert claims.client_id == workspace.client_id
    assert claims.exp is not None
    check_issuer(claims, client.endpoints.issuer)


def test_a_refresh_rotates_the_pair(aac_sim, connect):
    workspace, pair, client = connect()

    grant = client.refresh(pair.refresh_token, pair.client_id)

    assert grant.refresh_token not in (None, pair.refresh_token)
    assert grant.expires_in == aac_sim.sim.access_token_lifetime
    fresh = AACClient(client.endpoints, grant.access_token)
    assert fresh.current_workspace()["id"] == workspace.id
    with pytest.raises(InvalidGrant, match="does not exist") as info:
        client.refresh(pair.refresh_token, pair.client_id)
    assert "does not exist" in info.value.description
    assert aac_sim.sim.stats.refreshes[workspace.id] == 1


def test_it_fetches_2500_schedules_in_three_pages(aac_sim, connect):
    workspace, _, client = connect(schedules=2500)

    pages = list(client.iter_schedule_pages())

    ids = [schedule["id"] for page in pages for schedule in page]
    assert [len(page) for page in pages] == [1000, 1000, 500]
    assert len(set(ids)) == 2500
    assert aac_sim.sim.stats.requests[(workspace.id, "schedules.list")] == 3
    assert client.count_schedules() == 2500


def test_a_503_surfaces_after_the_get_retries(aac_sim, connect):
    workspace, _, client = connect()
    aac_sim.sim.faults.add(Fault(kind="status", status=503, workspace=workspace.id))

    with pytest.raises(Unavailable) as info:
        list(client.iter_schedule_pages())

    assert info.value.status == 503
    assert info.value.request_id
    assert aac_sim.sim.stats.requests[(workspace.id, "schedules.list")] == 3
    assert len(connect.sleeps) == 2


def test_a_transient_503_is_retried_away(aac_sim, connect):
    workspace, _, client = connect(schedules=30)
    aac_sim.sim.faults.add(
        Fault(kind="status", status=503, workspace=workspace.id, after=1, times=1)
    )

    pages = list(client.iter_schedule_pages(page_size=10))

    assert sum(len(page) for page in pages) == 30
    assert aac_sim.sim.stats.requests[(workspace.id, "schedules.list")] == 5


def test_a_rate_limit_surfaces_at_once_with_its_wait(aac_sim, connect):
    workspace, _, client = connect()
    aac_sim.sim.faults.add(
        Fault(kind="rate_limit", retry_after=7, workspace=workspace.id)
    )

    with pytest.raises(RateLimited) as info:
        client.count_schedules()

    assert info.value.retry_after == 7.0
    assert aac_sim.sim.stats.requests[(workspace.id, "schedules.count")] == 1


@pytest.mark.parametrize(
    "kind", ["malformed_json", "html", "wrong_types", "missing_data"]
)
def test_a_broken_answer_is_a_protocol_error(aac_sim, connect, kind):
    workspace, _, client = connect()
    aac_sim.sim.faults.add(Fault(kind=kind, workspace=workspace.id))

    with pytest.raises(ProtocolError):
        list(client.iter_schedule_pages())

    assert aac_sim.sim.stats.requests[(workspace.id, "schedules.list")] == 1


@pytest.mark.parametrize("call", ["current_workspace", "get_schedule", "enable"])
def test_wrong_types_are_caught_on_every_object(aac_sim, connect, call):
    workspace, _, client = connect()
    schedule_id = aac_sim.sim.schedules(workspace.id)[0]["id"]
    aac_sim.sim.faults.add(Fault(kind="wrong_types", workspace=workspace.id))
    calls = {
        "current_workspace": client.current_workspace,
        "get_schedule": lambda: client.get_schedule(schedule_id),
        "enable": lambda: client.enable_schedule(schedule_id),
    }

    with pytest.raises(ProtocolError, match="is missing or not"):
        calls[call]()


def test_a_read_timeout_may_have_reached_aac(aac_sim, connect):
    workspace, _, client = connect(read_timeout=0.5, get_attempts=1)
    aac_sim.sim.faults.add(Fault(kind="timeout", seconds=2, workspace=workspace.id))

    with pytest.raises(Unavailable) as info:
        client.current_workspace()

    assert info.value.maybe_sent is True


def test_a_lost_refresh_answer_may_have_spent_the_token(aac_sim, connect):
    workspace, pair, client = connect()
    aac_sim.sim.faults.add(Fault(kind="drop", endpoint="token", workspace=workspace.id))

    with pytest.raises(Unavailable) as info:
        client.refresh(pair.refresh_token, pair.client_id)

    assert info.value.maybe_sent is True
    assert aac_sim.sim.stats.refreshes[workspace.id] == 1
    aac_sim.sim.faults.clear()
    with pytest.raises(InvalidGrant):
        client.refresh(pair.refresh_token, pair.client_id)


def test_nothing_is_sent_when_aac_refuses_connections(connect):
    _, pair, client = connect()
    with serve(Simulator()) as urls:
        closed = urls.api  # nothing listens there once the block ends
    client.endpoints = Endpoints(closed, closed, f"{closed}/as", f"{closed}/as/token")

    with pytest.raises(Unavailable) as info:
        client.refresh(pair.refresh_token, pair.client_id)

    assert info.value.maybe_sent is False


def test_an_expired_access_token_is_an_auth_error():
    now = [1_700_000_000.0]
    sim = Simulator(access_token_lifetime=300, clock=lambda: now[0])
    with serve(sim) as urls:
        workspace = sim.add_workspace(name="Expiring", schedules=1)
        pair = sim.new_token_pair(workspace.id)
        endpoints = Endpoints(urls.api, urls.gateway, urls.issuer, urls.token_url)
        client = AACClient(endpoints, pair.access_token)
        assert client.current_workspace()["id"] == workspace.id
        now[0] += 301

        with pytest.raises(AuthError) as info:
            client.current_workspace()

    assert info.value.status == 401
    assert "AuthenticationFailed" in str(info.value)


def test_a_made_up_token_is_an_auth_error(connect):
    _, _, client = connect()
    client.access_token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.forged"

    with pytest.raises(AuthError):
        client.count_schedules()


def test_the_gateway_checks_the_project_id(connect):
    workspace, _, client = connect()

    answer = client.current_workspace_via_gateway(workspace.project_id)

    assert answer["gid"] == workspace.gid
    with pytest.raises(InvalidProjectId, match="Invalid ApiKey"):
        client.current_workspace_via_gateway("not-the-project-id")


def test_it_enables_disables_and_misses_schedules(aac_sim, connect):
    workspace, _, client = connect()
    schedule_id = aac_sim.sim.schedules(workspace.id)[0]["id"]

    assert client.disable_schedule(schedule_id)["enabled"] is False
    assert client.get_schedule(schedule_id)["enabled"] is False
    assert client.enable_schedule(schedule_id)["enabled"] is True
    with pytest.raises(NotFound, match="DataNotFoundException"):
        client.get_schedule(10**9)


def test_no_token_reaches_any_log_line_over_real_http(aac_sim, connect, raw_log_lines):
    workspace, pair, client = connect(read_timeout=0.5, get_attempts=2)
    grant = client.refresh(pair.refresh_token, pair.client_id)
    failures = [
        {"kind": "status", "status": 503, "endpoint": "schedules.count", "times": 2},
        {"kind": "html", "endpoint": "workspaces.current", "times": 1},
        {"kind": "timeout", "seconds": 1, "endpoint": "schedules.list", "times": 2},
        {"kind": "drop", "endpoint": "token", "times": 1},
    ]
    for fault in failures:
        aac_sim.sim.faults.add(Fault(workspace=workspace.id, **fault))
    calls = [
        client.count_schedules,
        client.current_workspace,
        lambda: list(client.iter_schedule_pages()),
        lambda: client.refresh(grant.refresh_token, pair.client_id),
        lambda: client.refresh(grant.refresh_token, pair.client_id),
        lambda: client.current_workspace_via_gateway("wrong"),
    ]

    errors = []
    for call in calls:
        with pytest.raises(
            (Unavailable, ProtocolError, InvalidGrant, InvalidProjectId)
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
