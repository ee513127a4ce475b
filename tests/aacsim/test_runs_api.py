"""Runs one at a time: plan snapshot runs, flow runs, job groups, cancel."""

import pytest

from tests.clocks import Clock


def newest(remote, pair, **params) -> dict:
    body = remote.get("/v4/jobLibrary", pair, params={"limit": 1, **params}).json()
    return body["data"][0]


def test_it_serves_a_plan_run_as_the_job_library_does(remote):
    _, pair = remote.workspace()
    group = newest(remote, pair, ranfor="plan")

    run = remote.get(f"/v4/planSnapshotRuns/{group['planSnapshotRun']['id']}", pair)

    assert run.status_code == 200
    body = run.json()
    for field in ("status", "plan", "ranfrom", "scheduleId", "creator", "createdAt"):
        assert body[field] == group[field]


def test_it_serves_a_job_group_and_its_bare_status(remote):
    _, pair = remote.workspace()
    group = newest(remote, pair, status="Complete")

    fetched = remote.get(f"/v4/jobGroups/{group['id']}", pair)
    status = remote.get(f"/v4/jobGroups/{group['id']}/status", pair)

    assert fetched.json() == group
    assert status.json() == "Complete"
    assert status.text == '"Complete"'


def test_it_serves_a_flow_run_and_its_bare_status(remote):
    _, pair = remote.workspace()
    group = newest(remote, pair, ranfor="flow")
    flow_run = group["flowRun"]["id"]

    run = remote.get(f"/v4/flowRuns/{flow_run}", pair).json()
    status = remote.get(f"/v4/flowRuns/{flow_run}/status", pair).json()

    assert run["id"] == flow_run
    assert run["flow"] == group["flow"]
    assert run["jobGroups"] == {"data": [{"id": group["id"]}]}
    assert status == group["status"]


@pytest.mark.parametrize(
    ("path", "status", "name"),
    [
        ("/v4/planSnapshotRuns/1", 404, "DataNotFoundException"),
        ("/v4/planSnapshotRuns/abc", 400, "ApiValidationFailed"),
        ("/v4/flowRuns/1/status", 404, "DataNotFoundException"),
        ("/v4/jobGroups/1", 404, "DataNotFoundException"),
        ("/v4/jobGroups/x/status", 400, "ApiValidationFailed"),
    ],
)
def test_it_refuses_unknown_or_malformed_run_ids(remote, path, status, name):
    _, pair = remote.workspace()

    answer = remote.get(path, pair)

    assert answer.status_code == status
    assert answer.json()["exception"]["name"] == name


def test_it_does_not_serve_a_flow_run_as_a_plan_run(remote):
    _, pair = remote.workspace()
    flow_run = newest(remote, pair, ranfor="flow")["flowRun"]["id"]

    answer = remote.get(f"/v4/planSnapshotRuns/{flow_run}", pair)

    assert answer.status_code == 404


def test_it_cancels_a_plan_run_that_has_not_finished(connect):
    clock = Clock()
    remote = connect(clock=clock)
    workspace, pair = remote.workspace()
    plan = next(
        p
        for p in workspace.assets.by_kind["plan"].values()
        if not workspace.assets.missing_flows(p)
    )
    remote.sim.set_next_run(workspace.id, "plan", plan.id, queued=30, duration=60)
    run_id = remote.post(f"/v4/plans/{plan.id}/run", pair).json()["planSnapshotRunId"]

    clock.advance(5)
    canceled = remote.post(f"/v4/planSnapshotRuns/{run_id}/cancel", pair)
    clock.advance(100)
    later = remote.get(f"/v4/planSnapshotRuns/{run_id}", pair).json()
    again = remote.post(f"/v4/planSnapshotRuns/{run_id}/cancel", pair)

    assert canceled.status_code == 200
    assert canceled.json()["status"] == "Canceled"
    assert later["status"] == "Canceled"
    assert later["startedAt"] is None
    assert later["finishedAt"] == canceled.json()["finishedAt"]
    assert again.status_code == 400
    assert again.json()["exception"]["name"] == "ValidationFailed"


def test_a_per_owner_token_cannot_fetch_runs_of_what_it_does_not_see(connect):
    remote = connect(list_scope="owner")
    workspace, pair = remote.workspace(schedules=80)
    me = workspace.people[0]["id"]
    remote.sim.run_count(workspace.id)
    hidden = next(r for r in workspace.runs.runs if not r.asset.visible_to(me))

    answer = remote.get(f"/v4/jobGroups/{workspace.runs.job_group_id(hidden)}", pair)

    assert answer.status_code == 404
