import pytest


def test_it_reports_health(remote):
    remote.workspace()

    answer = remote.control("GET", "/health")

    assert answer.json() == {"ok": True, "workspaces": 1}


def test_it_lists_the_credentials_handed_out(remote):
    workspace, pair = remote.workspace()

    body = remote.control("GET", "/credentials").json()

    assert body["issuer"] == remote.sim.issuer
    [entry] = body["credentials"]
    assert entry["workspace"]["id"] == workspace.id
    assert entry["workspace"]["project_id"] == workspace.project_id
    assert entry["access_token"] == pair.access_token
    assert entry["refresh_token"] == pair.refresh_token


def test_it_switches_faults_on_and_off(remote):
    workspace, pair = remote.workspace()

    added = remote.control(
        "POST",
        "/faults",
        json={"kind": "status", "status": 503, "workspace": workspace.id},
    )
    faulty = remote.get("/v4/schedules", pair)
    listed = remote.control("GET", "/faults").json()
    removed = remote.control("DELETE", f"/faults/{added.json()['id']}")
    healthy = remote.get("/v4/schedules", pair)

    assert added.status_code == 201
    assert faulty.status_code == 503
    assert listed[0]["kind"] == "status"
    assert listed[0]["fired"] == 1
    assert removed.status_code == 204
    assert healthy.status_code == 200
    assert remote.control("DELETE", "/faults/999").status_code == 404


def test_it_clears_every_fault(remote):
    _, pair = remote.workspace()
    for kind in ("html", "malformed_json"):
        remote.control("POST", "/faults", json={"kind": kind})

    assert remote.control("DELETE", "/faults").status_code == 204
    assert remote.control("GET", "/faults").json() == []
    assert remote.get("/v4/schedules", pair).status_code == 200


@pytest.mark.parametrize(
    "body", ['{"kind": "explode"}', '{"kind": "drop", "color": "red"}', "[1]", "{"]
)
def test_it_refuses_a_bad_fault(remote, body):
    answer = remote.control("POST", "/faults", data=body)

    assert answer.status_code == 400
    assert answer.json()["error"]


def test_it_reports_and_resets_stats(remote):
    workspace, pair = remote.workspace()
    remote.get("/v4/schedules", pair)
    remote.refresh(pair.refresh_token, pair.client_id)

    stats = remote.control("GET", "/stats").json()
    reset = remote.control("DELETE", "/stats")

    assert stats["refreshes"] == [{"workspace": workspace.id, "count": 1}]
    assert {
        "workspace": workspace.id,
        "endpoint": "schedules.list",
        "count": 1,
    } in stats["requests"]
    assert reset.status_code == 204
    assert remote.control("GET", "/stats").json() == {"refreshes": [], "requests": []}


def test_it_changes_a_workspaces_schedules(remote):
    workspace, pair = remote.workspace(schedules=20)
    before = {i: s["updatedAt"] for i, s in workspace.schedules.items()}

    answer = remote.control(
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

    negative = remote.control(
        "POST", f"/workspaces/{workspace.id}/schedules", json={"add": -1}
    )
    unknown = remote.control("POST", "/workspaces/1/schedules", json={"add": 1})

    assert negative.status_code == 400
    assert unknown.status_code == 404


def test_it_generates_a_new_pair_like_the_aac_ui(remote):
    workspace, pair = remote.workspace()

    answer = remote.control("POST", f"/workspaces/{workspace.id}/tokens")

    fresh = answer.json()
    assert answer.status_code == 201
    assert fresh["refresh_token"] != pair.refresh_token
    refreshed = remote.refresh(fresh["refresh_token"], workspace.client_id)
    assert refreshed.status_code == 200


def test_it_adds_and_lists_workspaces(remote):
    answer = remote.control(
        "POST", "/workspaces", json={"name": "Added", "schedules": 12}
    )

    listed = remote.control("GET", "/workspaces").json()
    assert answer.status_code == 201
    assert [(w["name"], w["schedules"]) for w in listed] == [("Added", 12)]
    assert listed[0]["id"] == answer.json()["workspace"]["id"]


def test_it_answers_404_for_unknown_control_paths(remote):
    assert remote.control("GET", "/nothing").status_code == 404
    assert remote.control("PUT", "/faults").status_code == 404
