import time

import pytest
import requests

from aacsim import Fault
from aacsim.api import ROUTES
from aacsim.faults import ENDPOINTS, FaultSet


def statuses(remote, pair, n, path="/v4/schedules") -> list[int]:
    return [remote.get(path, pair).status_code for _ in range(n)]


def test_it_fires_after_skipping_and_only_so_many_times(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(
        Fault(kind="status", status=503, endpoint="schedules.list", after=1, times=2)
    )

    assert statuses(remote, pair, 4) == [200, 503, 503, 200]


def test_it_answers_a_status_fault_with_a_v4_body_and_retry_after(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="status", status=503, retry_after=5))

    answer = remote.get("/v4/schedules", pair)

    assert answer.status_code == 503
    assert answer.headers["x-retry-after"] == "5"
    assert answer.headers["x-trifacta-request-id"]
    assert answer.json()["exception"]["name"] == "ServiceUnavailable"


def test_it_rate_limits_with_aacs_headers(connect):
    remote = connect(clock=lambda: 1_750_000_000.25)
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="rate_limit", retry_after=7))

    answer = remote.get("/v4/schedules/count", pair)

    assert answer.status_code == 429
    assert answer.json()["exception"]["name"] == "TooManyRequestsException"
    assert answer.headers["x-retry-after"] == "7"
    for scope in ("user", "workspace"):
        assert int(answer.headers[f"x-rate-limit-{scope}-limit"]) > 0
        assert answer.headers[f"x-rate-limit-{scope}-remaining"] == "0"
    assert answer.headers["x-rate-limit-user-reset"] == "1750000008"
    assert answer.headers["x-rate-limit-workspace-reset"] == "1750000007250"


def test_a_429_status_fault_without_a_wait_still_answers(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="status", status=429))

    answer = remote.get("/v4/schedules/count", pair)

    assert answer.status_code == 429
    assert "x-retry-after" not in answer.headers
    assert answer.headers["x-rate-limit-user-remaining"] == "0"


def test_it_answers_late_but_normally_under_latency(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="latency", seconds=0.2))

    started = time.monotonic()
    answer = remote.get("/v4/schedules/count", pair)

    assert time.monotonic() - started >= 0.2
    assert answer.json() == {"count": 40}


def test_it_times_out_after_acting(remote):
    workspace, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="timeout", seconds=3, endpoint="token"))

    with pytest.raises(requests.exceptions.ReadTimeout):
        remote.http.post(
            remote.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": pair.refresh_token,
                "client_id": pair.client_id,
            },
            timeout=(5, 0.3),
        )

    remote.sim.faults.clear()
    assert remote.sim.stats.refreshes[workspace.id] == 1
    assert remote.refresh(pair.refresh_token, pair.client_id).status_code == 400


def test_it_loses_the_answer_of_a_refresh_it_already_rotated(remote):
    workspace, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="drop", endpoint="token", times=1))

    with pytest.raises(requests.exceptions.ConnectionError):
        remote.refresh(pair.refresh_token, pair.client_id)
    retry = remote.refresh(pair.refresh_token, pair.client_id)

    assert remote.sim.stats.refreshes[workspace.id] == 1
    assert retry.status_code == 400
    assert retry.json()["error"] == "invalid_grant"


def test_it_drops_any_endpoint_and_keeps_serving_afterwards(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="drop", endpoint="schedules.list", times=1))

    with pytest.raises(requests.exceptions.ConnectionError):
        remote.get("/v4/schedules", pair)

    assert remote.get("/v4/schedules", pair).status_code == 200


def test_it_does_not_spend_the_token_when_answering_in_its_place(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="status", status=503, endpoint="token", times=1))

    failed = remote.refresh(pair.refresh_token, pair.client_id)
    retried = remote.refresh(pair.refresh_token, pair.client_id)

    assert failed.status_code == 503
    assert failed.json()["error"] == "temporarily_unavailable"
    assert retried.status_code == 200


def test_it_serves_malformed_json(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="malformed_json", endpoint="schedules.list"))

    answer = remote.get("/v4/schedules", pair)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    with pytest.raises(requests.exceptions.JSONDecodeError):
        answer.json()


@pytest.mark.parametrize("status", [None, 502])
def test_it_serves_an_html_page(remote, status):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="html", status=status))

    answer = remote.get("/v4/workspaces/current", pair)

    assert answer.status_code == (status or 200)
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.startswith("<!DOCTYPE html>")


def test_it_serves_wrong_types(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="wrong_types"))

    current = remote.get("/v4/workspaces/current", pair).json()
    listed = remote.get("/v4/schedules", pair).json()
    token = remote.refresh(pair.refresh_token, pair.client_id).json()

    assert isinstance(current["id"], str)
    assert isinstance(current["name"], int)
    assert all(isinstance(item["id"], str) for item in listed["data"])
    assert all(isinstance(item["enabled"], str) for item in listed["data"])
    assert isinstance(token["expires_in"], str)
    assert isinstance(token["access_token"], int)


def test_it_serves_answers_without_data(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="missing_data"))

    listed = remote.get("/v4/schedules", pair, params={"includeCount": "true"})
    current = remote.get("/v4/workspaces/current", pair)

    assert listed.json() == {"count": 40}
    assert current.json() == {}


def test_it_changes_the_data_between_pages(remote):
    workspace, pair = remote.workspace(schedules=30)
    before = set(workspace.schedules)
    remote.sim.faults.add(
        Fault(
            kind="mutate", endpoint="schedules.list", after=1, times=1, add=3, remove=2
        )
    )
    params = {"limit": 10, "includeCount": "true"}

    first = remote.get("/v4/schedules", pair, params={**params, "offset": 0}).json()
    second = remote.get("/v4/schedules", pair, params={**params, "offset": 10}).json()
    third = remote.get("/v4/schedules", pair, params={**params, "offset": 20}).json()

    after = set(workspace.schedules)
    assert (first["count"], second["count"], third["count"]) == (30, 31, 31)
    assert len(before - after) == 2
    assert len(after - before) == 3
    assert max(after) > max(before)


def test_it_matches_faults_by_workspace_and_endpoint(remote):
    target, target_pair = remote.workspace("Target")
    _, bystander_pair = remote.workspace("Bystander")
    remote.sim.faults.add(
        Fault(kind="status", status=500, workspace=target.id, endpoint="schedules.list")
    )

    assert remote.get("/v4/schedules", target_pair).status_code == 500
    assert remote.get("/v4/schedules/count", target_pair).status_code == 200
    assert remote.get("/v4/schedules", bystander_pair).status_code == 200


def test_it_stops_faulting_once_cleared(remote):
    _, pair = remote.workspace()
    remote.sim.faults.add(Fault(kind="status", status=500))
    assert remote.get("/v4/schedules", pair).status_code == 500

    remote.sim.faults.clear()

    assert remote.get("/v4/schedules", pair).status_code == 200


def test_it_counts_requests_per_workspace_and_endpoint(remote):
    workspace, pair = remote.workspace()

    remote.get("/v4/schedules", pair)
    remote.get("/v4/schedules", pair)
    remote.get("/v4/schedules/count")

    assert remote.sim.stats.requests[(workspace.id, "schedules.list")] == 2
    assert remote.sim.stats.requests[(None, "schedules.count")] == 1


def test_it_lets_one_effect_fire_per_request_but_every_latency():
    faults = FaultSet()
    for fault in (
        Fault(kind="latency", seconds=0.1),
        Fault(kind="status", status=500, times=1),
        Fault(kind="html"),
        Fault(kind="latency", seconds=0.2, times=1),
    ):
        faults.add(fault)

    first = faults.fire(None, "schedules.list")
    second = faults.fire(None, "schedules.list")

    assert [f.kind for f in first] == ["latency", "status", "latency"]
    assert [f.kind for f in second] == ["latency", "html"]


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "explode"},
        {"kind": "status"},
        {"kind": "status", "status": 200},
        {"kind": "latency"},
        {"kind": "timeout", "seconds": 0},
        {"kind": "drop", "endpoint": "schedules.fetch"},
        {"kind": "drop", "times": 0},
        {"kind": "drop", "after": -1},
        {"kind": "mutate", "remove": -1},
    ],
)
def test_it_refuses_a_malformed_fault(spec):
    with pytest.raises(ValueError, match=r"."):
        Fault(**spec)


def test_every_route_has_an_endpoint_name_faults_accept():
    assert {route.endpoint for route in ROUTES} == set(ENDPOINTS)


def paths_of(workspace, remote, pair) -> dict[str, tuple[str, str]]:
    """A request for each endpoint of the runs and assets families."""
    remote.sim.run_count(workspace.id)
    runs = workspace.runs
    flow_run = runs.run_id(next(r for r in runs.runs if r.asset.kind == "flow"))
    group = runs.job_group_id(runs.runs[0])
    plan = next(
        p
        for p in workspace.assets.by_kind["plan"].values()
        if not workspace.assets.missing_flows(p)
    )
    flow = next(iter(workspace.assets.by_kind["flow"]))
    remote.sim.set_next_run(workspace.id, "plan", plan.id, duration=3600)
    started = remote.post(f"/v4/plans/{plan.id}/run", pair)
    plan_run = started.json()["planSnapshotRunId"]  # cancellable for an hour
    workflow = next(
        w.id
        for w in workspace.assets.by_kind["workflow"].values()
        if w.workflow_type == "CLOUD"
    )
    return {
        "people.list": ("GET", "/v4/people"),
        "plans.list": ("GET", "/v4/plans"),
        "plans.count": ("GET", "/v4/plans/count"),
        "plans.full": ("GET", f"/v4/plans/{plan.id}/full"),
        "plans.run": ("POST", f"/v4/plans/{plan.id}/run"),
        "flows.list": ("GET", "/v4/flows"),
        "flows.run": ("POST", f"/v4/flows/{flow}/run"),
        "workflows.list": ("GET", "/v4/workflows"),
        "workflows.service.list": ("GET", "/svc-workflow/api/v1/workflows"),
        "workflows.run": ("POST", f"/svc-workflow/api/v1/workflows/{workflow}/run"),
        "runs.plan.list": ("GET", "/v4/planSnapshotRuns"),
        "runs.plan.get": ("GET", f"/v4/planSnapshotRuns/{plan_run}"),
        "runs.plan.cancel": ("POST", f"/v4/planSnapshotRuns/{plan_run}/cancel"),
        "runs.flow.get": ("GET", f"/v4/flowRuns/{flow_run}"),
        "runs.flow.status": ("GET", f"/v4/flowRuns/{flow_run}/status"),
        "jobGroups.get": ("GET", f"/v4/jobGroups/{group}"),
        "jobGroups.status": ("GET", f"/v4/jobGroups/{group}/status"),
        "jobLibrary.list": ("GET", "/v4/jobLibrary"),
    }


NEW_ENDPOINTS = ENDPOINTS[ENDPOINTS.index("people.list") :]


@pytest.mark.parametrize("endpoint", NEW_ENDPOINTS)
def test_it_faults_each_new_endpoint_by_name(remote, endpoint):
    workspace, pair = remote.workspace()
    method, path = paths_of(workspace, remote, pair)[endpoint]
    counted = remote.sim.stats.requests[(workspace.id, endpoint)]
    remote.sim.faults.add(
        Fault(kind="status", status=503, endpoint=endpoint, retry_after=2, times=1)
    )

    faulty = remote.call(method, path, pair, json={})
    healthy = remote.call(method, path, pair, json={})

    assert faulty.status_code == 503
    assert faulty.headers["x-retry-after"] == "2"
    if path.startswith("/svc-workflow"):
        assert set(faulty.json()) == {"kind", "message"}
        assert faulty.json()["kind"] == "InternalServerError"
    else:
        assert faulty.json()["exception"]["name"] == "ServiceUnavailable"
    assert healthy.status_code < 400
    assert remote.sim.stats.requests[(workspace.id, endpoint)] == counted + 2


@pytest.mark.parametrize(
    ("endpoint", "limits"),
    [
        ("plans.run", ("30", "60")),
        ("flows.run", ("20", "40")),
        ("people.list", ("30", "60")),
    ],
)
def test_it_rate_limits_with_the_endpoints_own_quotas(remote, endpoint, limits):
    workspace, pair = remote.workspace()
    method, path = paths_of(workspace, remote, pair)[endpoint]
    remote.sim.faults.add(Fault(kind="rate_limit", endpoint=endpoint))

    answer = remote.call(method, path, pair, json={})

    assert answer.status_code == 429
    assert (
        answer.headers["x-rate-limit-user-limit"],
        answer.headers["x-rate-limit-workspace-limit"],
    ) == limits


def test_a_lost_run_answer_retried_with_its_execution_id_starts_one_run(remote):
    workspace, pair = remote.workspace()
    method, path = paths_of(workspace, remote, pair)["plans.run"]
    before = remote.sim.run_count(workspace.id)
    remote.sim.faults.add(Fault(kind="drop", endpoint="plans.run", times=1))
    press = {"x-execution-id": "press-42"}

    with pytest.raises(requests.exceptions.ConnectionError):
        remote.call(method, path, pair, headers=dict(press))
    retried = remote.call(method, path, pair, headers=dict(press))

    assert retried.status_code == 304
    assert remote.sim.run_count(workspace.id) == before + 1


@pytest.mark.parametrize(
    ("kind", "expected"), [("wrong_types", 8), ("missing_data", None)]
)
def test_it_spoils_a_bare_status_answer(remote, kind, expected):
    workspace, pair = remote.workspace()
    method, path = paths_of(workspace, remote, pair)["jobGroups.status"]
    remote.sim.faults.add(Fault(kind=kind, endpoint="jobGroups.status"))

    answer = remote.call(method, path, pair)

    assert answer.json() == (
        expected
        if expected is None
        else len(
            remote.sim.workspace(workspace.id).runs.runs[0].status(remote.sim.clock())
        )
    )
