"""Starting runs: answers, states over time, execution ids, quotas, knobs."""

import pytest

from tests.clocks import Clock

SERVICE = "/svc-workflow/api/v1/workflows"


def first(workspace, kind: str, **wanted):
    return next(
        asset
        for asset in workspace.assets.by_kind[kind].values()
        if all(getattr(asset, name) == value for name, value in wanted.items())
        and not (kind == "plan" and workspace.assets.missing_flows(asset))
    )


def run_path(workspace, kind: str) -> str:
    if kind == "workflow":
        return f"{SERVICE}/{first(workspace, 'workflow', workflow_type='CLOUD').id}/run"
    return f"/v4/{kind}s/{first(workspace, kind).id}/run"


def job_group(answer) -> int:
    body = answer.json()
    return body.get("jobgroupId") or (body.get("data") or [{}])[0].get("id")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(connect, clock):
    return connect(clock=clock)


def test_it_starts_a_plan_and_follows_its_snapshot_run(timed, clock):
    workspace, pair = timed.workspace()
    plan = first(workspace, "plan")
    timed.sim.set_next_run(workspace.id, "plan", plan.id, queued=5, duration=60)

    started = timed.post(f"/v4/plans/{plan.id}/run", pair)
    run_id = started.json()["planSnapshotRunId"]
    states = []
    for step in (0, 5, 60):
        clock.advance(step)
        states.append(timed.get(f"/v4/planSnapshotRuns/{run_id}", pair).json())

    assert started.status_code == 201
    assert started.json()["validationStatus"] == "Valid"
    assert [s["status"] for s in states] == ["Created", "InProgress", "Complete"]
    assert [s["startedAt"] is None for s in states] == [True, False, False]
    assert [s["finishedAt"] is None for s in states] == [True, True, False]
    assert states[-1]["plan"] == {"id": plan.id, "name": plan.name}
    assert (states[-1]["ranfrom"], states[-1]["scheduleId"]) == ("api", None)
    assert states[-1]["creator"] == {"id": workspace.people[0]["id"]}


def test_it_starts_a_flow_and_answers_its_run_and_job_group(timed, clock):
    workspace, pair = timed.workspace()
    flow = first(workspace, "flow")
    timed.sim.set_next_run(
        workspace.id,
        "flow",
        flow.id,
        status="Failed",
        message="Boom",
        duration=30,
        queued=0,
    )

    started = timed.post(f"/v4/flows/{flow.id}/run", pair, json={})
    flow_run = started.json()["flowRunId"]
    group = job_group(started)
    clock.advance(60)
    run = timed.get(f"/v4/flowRuns/{flow_run}", pair).json()
    status = timed.get(f"/v4/flowRuns/{flow_run}/status", pair)
    group_status = timed.get(f"/v4/jobGroups/{group}/status", pair)

    assert started.status_code == 201
    assert started.json()["data"][0]["reason"] == "JobStarted"
    assert (run["status"], run["errorMessage"]) == ("Failed", "Boom")
    assert run["jobGroups"]["data"] == [{"id": group}]
    assert status.text == '"Failed"'
    assert group_status.json() == "Failed"
    assert group_status.headers["Content-Type"].startswith("application/json")


def test_it_starts_a_cloud_workflow_on_the_workflow_service(timed, clock):
    workspace, pair = timed.workspace()
    workflow = first(workspace, "workflow", workflow_type="CLOUD")
    timed.sim.set_next_run(
        workspace.id, "workflow", workflow.id, duration=100, queued=1
    )

    started = timed.post(f"{SERVICE}/{workflow.id}/run", pair)
    clock.advance(200)
    group = timed.get(f"/v4/jobGroups/{started.json()['jobgroupId']}", pair).json()

    assert started.status_code == 200
    assert set(started.json()) == {"jobId", "jobStatus", "jobgroupId"}
    assert started.json()["jobStatus"] == "Created"
    assert group["jobId"] == started.json()["jobId"]
    assert group["workflow"]["id"] == workflow.id
    assert group["status"] == "Complete"


@pytest.mark.parametrize("kind", ["plan", "flow", "workflow"])
def test_a_started_run_shows_in_the_job_library_as_started_by_the_api(timed, kind):
    workspace, pair = timed.workspace()

    started = timed.post(run_path(workspace, kind), pair, json={})
    library = timed.get(
        "/v4/jobLibrary", pair, params={"ranfrom": "api", "ranfor": kind}
    ).json()

    newest = library["data"][0]
    assert newest["creator"]["id"] == workspace.people[0]["id"]
    if kind == "plan":
        assert newest["planSnapshotRun"]["id"] == started.json()["planSnapshotRunId"]
    else:
        assert newest["id"] == job_group(started)


@pytest.mark.parametrize("kind", ["plan", "flow", "workflow"])
def test_the_same_execution_id_never_starts_two_runs(timed, kind):
    workspace, pair = timed.workspace()
    path = run_path(workspace, kind)
    before = timed.sim.run_count(workspace.id)
    once = {"x-execution-id": "press-1"}

    first_answer = timed.post(path, pair, json={}, headers=dict(once))
    repeated = timed.post(path, pair, json={}, headers=dict(once))
    other = timed.post(path, pair, json={}, headers={"x-execution-id": "press-2"})

    assert first_answer.status_code in (200, 201)
    assert repeated.status_code == 304
    assert repeated.content == b""
    assert other.status_code in (200, 201)
    assert timed.sim.run_count(workspace.id) == before + 2


@pytest.mark.parametrize(
    ("kind", "per_user", "per_workspace"),
    [("plan", 30, 60), ("flow", 20, 40), ("workflow", 30, 60)],
)
def test_it_enforces_the_documented_quotas_per_user_and_workspace(
    timed, clock, kind, per_user, per_workspace
):
    workspace, pair = timed.workspace()
    path = run_path(workspace, kind)
    others = [
        timed.sim.new_token_pair(workspace.id, person_id=p["id"])
        for p in workspace.people[1:]
        if not p["isDisabled"]
    ][:3]

    mine = [timed.post(path, pair, json={}) for _ in range(per_user + 1)]
    theirs = [
        timed.post(path, other, json={}) for other in others for _ in range(per_user)
    ]
    clock.advance(60)
    later = timed.post(path, pair, json={})

    assert [a.status_code < 300 for a in mine] == [True] * per_user + [False]
    refused = mine[-1]
    assert refused.status_code == 429
    assert refused.headers["x-retry-after"] == "60"
    assert refused.headers["x-rate-limit-user-limit"] == str(per_user)
    assert refused.headers["x-rate-limit-user-remaining"] == "0"
    assert refused.headers["x-rate-limit-workspace-limit"] == str(per_workspace)
    assert mine[0].headers["x-rate-limit-user-remaining"] == str(per_user - 1)
    allowed = sum(a.status_code < 300 for a in theirs)
    assert allowed == per_workspace - per_user
    assert later.status_code < 300


def test_its_resets_are_epoch_seconds_for_the_user_and_ms_for_the_workspace(
    timed, clock
):
    workspace, pair = timed.workspace()
    path = run_path(workspace, "flow")
    first_at = clock.now

    timed.post(path, pair, json={})
    clock.advance(15.5)
    for _ in range(19):
        timed.post(path, pair, json={})
    refused = timed.post(path, pair, json={})

    assert refused.status_code == 429
    assert refused.headers["x-retry-after"] == "45"
    assert refused.headers["x-rate-limit-user-reset"] == str(int(first_at + 60))
    assert refused.headers["x-rate-limit-workspace-reset"] == str(
        int((first_at + 60) * 1000)
    )


def test_it_answers_the_quota_in_each_services_dialect(timed):
    workspace, pair = timed.workspace()
    plan, workflow = run_path(workspace, "plan"), run_path(workspace, "workflow")

    for _ in range(30):
        timed.post(plan, pair)
        timed.post(workflow, pair)

    assert timed.post(plan, pair).json()["exception"]["name"] == (
        "TooManyRequestsException"
    )
    assert timed.post(workflow, pair).json()["kind"] == "TooManyRequestsError"


def test_it_does_not_count_a_repeated_press_against_the_quota(timed):
    workspace, pair = timed.workspace()
    path = run_path(workspace, "flow")

    for n in range(20):
        timed.post(path, pair, json={}, headers={"x-execution-id": f"press-{n}"})

    repeated = timed.post(path, pair, json={}, headers={"x-execution-id": "press-3"})
    assert repeated.status_code == 304


def test_it_validates_a_plan_with_a_missing_flow_and_starts_nothing(timed):
    workspace, pair = timed.workspace(schedules=300)
    broken = next(
        p
        for p in workspace.assets.by_kind["plan"].values()
        if workspace.assets.missing_flows(p)
    )
    before = timed.sim.run_count(workspace.id)

    answer = timed.post(f"/v4/plans/{broken.id}/run", pair)

    assert answer.json() == {"validationStatus": "MissingFlowReferences"}
    assert timed.sim.run_count(workspace.id) == before


@pytest.mark.parametrize(
    ("path", "status", "name"),
    [
        ("/v4/plans/999/run", 404, "DataNotFoundException"),
        ("/v4/plans/x/run", 400, "ApiValidationFailed"),
        ("/v4/flows/999/run", 404, "DataNotFoundException"),
    ],
)
def test_it_refuses_to_run_an_unknown_plan_or_flow(remote, path, status, name):
    _, pair = remote.workspace()

    answer = remote.post(path, pair, json={})

    assert answer.status_code == status
    assert answer.json()["exception"]["name"] == name


def test_it_wants_a_json_object_to_run_a_flow(remote):
    workspace, pair = remote.workspace()

    answer = remote.post(run_path(workspace, "flow"), pair, data="[1]")

    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("workflow", "status", "kind"),
    [
        ("not-a-ulid", 400, "BadRequestError"),
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", 404, "NotFoundError"),
        ("desktop", 400, "BadRequestError"),
    ],
)
def test_the_workflow_service_refuses_in_its_own_dialect(
    remote, workflow, status, kind
):
    workspace, pair = remote.workspace()
    if workflow == "desktop":
        workflow = first(workspace, "workflow", workflow_type="DESKTOP").id

    answer = remote.post(f"{SERVICE}/{workflow}/run", pair)
    unauthenticated = remote.post(f"{SERVICE}/{workflow}/run")

    assert answer.status_code == status
    assert answer.json() == {"kind": kind, "message": answer.json()["message"]}
    assert unauthenticated.json()["kind"] == "UnauthorizedError"


def test_a_per_owner_token_runs_only_what_it_sees(connect):
    remote = connect(list_scope="owner")
    workspace, pair = remote.workspace(schedules=80)
    me = workspace.people[0]["id"]
    hidden = next(
        f for f in workspace.assets.by_kind["flow"].values() if not f.visible_to(me)
    )

    answer = remote.post(f"/v4/flows/{hidden.id}/run", pair, json={})

    assert answer.status_code == 404


def test_it_scripts_the_next_run_over_the_control_api(timed, clock):
    workspace, pair = timed.workspace()
    plan = first(workspace, "plan")

    scripted = timed.control(
        "POST",
        f"/workspaces/{workspace.id}/next-run",
        json={
            "kind": "plan",
            "id": plan.id,
            "status": "Failed",
            "message": "Disk full",
            "duration": 10,
            "queued": 0,
        },
    )
    run_id = timed.post(f"/v4/plans/{plan.id}/run", pair).json()["planSnapshotRunId"]
    clock.advance(10)
    run = timed.get(f"/v4/planSnapshotRuns/{run_id}", pair).json()
    unknown = timed.control(
        "POST", f"/workspaces/{workspace.id}/next-run", json={"kind": "plan", "id": 1}
    )
    bad = timed.control(
        "POST",
        f"/workspaces/{workspace.id}/next-run",
        json={"kind": "plan", "id": plan.id, "status": "Exploded"},
    )

    assert scripted.status_code == 204
    assert (run["status"], run["errorMessage"]) == ("Failed", "Disk full")
    assert (unknown.status_code, bad.status_code) == (404, 400)


def test_it_adds_and_counts_runs_over_the_control_api(remote):
    workspace, _ = remote.workspace()
    before = remote.sim.run_count(workspace.id)

    added = remote.control("POST", f"/workspaces/{workspace.id}/runs", json={"add": 7})
    counted = remote.control("POST", f"/workspaces/{workspace.id}/runs")

    assert added.json() == {"runs": before + 7} == counted.json()
