import pytest


def control(remote, method: str, path: str, **kwargs):
    return remote.http.request(method, f"{remote.api}/_sim{path}", timeout=5, **kwargs)


def test_it_reports_health(remote):
    remote.workspace()

    answer = control(remote, "GET", "/health")

    assert answer.json() == {"ok": True, "workspaces": 1}


def test_it_lists_the_credentials_handed_out(remote):
    workspace, pair = remote.workspace()

    body = control(remote, "GET", "/credentials").json()

    assert body["issuer"] == remote.sim.issuer
    [entry] = body["credentials"]
    assert entry["workspace"]["id"] == workspace.id
    assert entry["workspace"]["project_id"] == workspace.project_id
    assert entry["access_token"] == pair.access_token
    assert entry["refresh_token"] == pair.refresh_token


def test_it_switches_faults_on_and_off(remote):
    workspace, pair = remote.workspace()

    added = control(
        remote,
        "POST",
        "/faults",
        json={"kind": "status", "status": 503, "workspace": workspace.id},
    )
    faulty = remote.get("/v4/schedules", pair)
    listed = control(remote, "GET", "/faults").json()
    removed = control(remote, "DELETE", f"/faults/{added.json()['id']}")
    healthy = remote.get("/v4/schedules", pair)

    assert added.status_code == 201
    assert faulty.status_code == 503
    assert listed[0]["kind"] == "status"
    assert listed[0]["fired"] == 1
    assert removed.status_code == 204
    assert healthy.status_code == 200
    assert control(remote, "DELETE", "/faults/999").status_code == 404


def test_it_clears_every_fault(remote):
    _, pair = remote.workspace()
    for kind in ("html", "malformed_json"):
        control(remote, "POST", "/faults", json={"kind": kind})

    assert control(remote, "DELETE", "/faults").status_code == 204
    assert control(remote, "GET", "/faults").json() == []
    assert remote.get("/v4/schedules", pair).status_code == 200


@pytest.mark.parametrize(
    "body", ['{"kind": "explode"}', '{"kind": "drop", "color": "red"}', "[1]", "{"]
)
def test_it_refuses_a_bad_fault(remote, body):
    answer = control(remote, "POST", "/faults", data=body)

    assert answer.status_code == 400
    assert answer.json()["error"]


def test_it_reports_and_resets_stats(remote):
    workspace, pair = remote.workspace()
    remote.get("/v4/schedules", pair)
    remote.refresh(pair.refresh_token, pair.client_id)

    stats = control(remote, "GET", "/stats").json()
    reset = control(remote, "DELETE", "/stats")

    assert stats["refreshes"] == [{"workspace": workspace.id, "count": 1}]
    assert {
        "workspace": workspace.id,
        "endpoint": "schedules.list",
        "count": 1,
    } in stats["requests"]
    assert reset.status_code == 204
    assert control(remote, "GET", "/stats").json() == {"refreshes": [], "requests": []}


def test_it_changes_a_workspaces_schedules(remote):
    workspace, pair = remote.workspace(schedules=20)
    before = {i: s["updatedAt"] for i, s in workspace.schedules.items()}

    answer = control(
        remote,
        "POST",
        f"/workspaces/{workspace.id}/schedules",
        json={"add": 5, "remove": 3, "touch": 2},
    )

    body = answer.json()
    assert len(body["added"]) == 5
    assert len(body["removed"]) == 3
    assert len(body["touched"]) == 2
    assert remote.get("/v4/schedules/count", pair).json() == {"count": 22}
    for schedule_id in body["touched"]:
        updated = workspace.schedules[schedule_id]["updatedAt"]
        assert updated > before[schedule_id]


def test_it_refuses_bad_schedule_changes(remote):
    workspace, _ = remote.workspace()

    negative = control(
        remote, "POST", f"/workspaces/{workspace.id}/schedules", json={"add": -1}
    )
    unknown = control(remote, "POST", "/workspaces/1/schedules", json={"add": 1})

    assert negative.status_code == 400
    assert unknown.status_code == 404


def test_it_generates_a_new_pair_like_the_aac_ui(remote):
    workspace, pair = remote.workspace()

    answer = control(remote, "POST", f"/workspaces/{workspace.id}/tokens")

    fresh = answer.json()
    assert answer.status_code == 201
    assert fresh["refresh_token"] != pair.refresh_token
    refreshed = remote.refresh(fresh["refresh_token"], workspace.client_id)
    assert refreshed.status_code == 200


def test_it_adds_and_lists_workspaces(remote):
    answer = control(
        remote, "POST", "/workspaces", json={"name": "Added", "schedules": 12}
    )

    listed = control(remote, "GET", "/workspaces").json()
    assert answer.status_code == 201
    assert [(w["name"], w["schedules"]) for w in listed] == [("Added", 12)]
    assert listed[0]["id"] == answer.json()["workspace"]["id"]


def test_it_answers_404_for_unknown_control_paths(remote):
    assert control(remote, "GET", "/nothing").status_code == 404
    assert control(remote, "PUT", "/faults").status_code == 404
