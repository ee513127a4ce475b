"""Plans, flows and workflows as the v4 API and the workflow service list them."""

import pytest

ASSET_FIELDS = {"id", "name", "description", "createdAt", "updatedAt", "creator"}


def listed(remote, pair, path: str, **params) -> dict:
    answer = remote.get(path, pair, params={"limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def ids(body: dict) -> list:
    return [item["id"] for item in body["data"]]


EVERYONES = {"ownershipFilter": "all"}


@pytest.mark.parametrize(
    ("path", "kind", "params"),
    [
        ("/v4/plans", "plan", EVERYONES),
        ("/v4/flows", "flow", EVERYONES),
        ("/v4/workflows", "workflow", {}),
    ],
)
def test_it_lists_every_asset_of_a_kind_in_id_order(remote, path, kind, params):
    workspace, pair = remote.workspace(schedules=60)

    body = listed(remote, pair, path, **params)

    assert ids(body) == sorted(workspace.assets.by_kind[kind])
    assert all(set(item) >= ASSET_FIELDS for item in body["data"])
    assert all(item["workspace"] == {"id": workspace.id} for item in body["data"])


@pytest.mark.parametrize(
    ("path", "kind"), [("/v4/plans", "plan"), ("/v4/flows", "flow")]
)
def test_without_an_ownership_filter_it_lists_only_the_callers_own(remote, path, kind):
    workspace, pair = remote.workspace(schedules=200)
    me = workspace.people[0]["id"]

    body = listed(remote, pair, path, includeCount="true")

    mine = [a.id for a in workspace.assets.by_kind[kind].values() if a.owner == me]
    assert 0 < len(mine) < len(workspace.assets.by_kind[kind])
    assert ids(body) == sorted(mine)
    assert body["count"] == len(mine)


def test_it_lists_plans_with_their_latest_run(remote):
    _, pair = remote.workspace(schedules=60)

    plans = listed(remote, pair, "/v4/plans", **EVERYONES)["data"]

    latest = [p["latestPlanSnapshotRun"] for p in plans if p["latestPlanSnapshotRun"]]
    assert latest
    for run in latest:
        assert run["status"] in (
            "Created",
            "InProgress",
            "Complete",
            "Failed",
            "Canceled",
        )
        answer = remote.get(f"/v4/planSnapshotRuns/{run['id']}", pair)
        assert answer.status_code == 200, answer.text
        fetched = answer.json()
        assert fetched["createdAt"] == run["createdAt"]


def test_it_filters_plans_by_ownership(remote):
    workspace, pair = remote.workspace(schedules=200)
    me = workspace.people[0]["id"]

    every = listed(remote, pair, "/v4/plans", ownershipFilter="all")["data"]
    owned = listed(remote, pair, "/v4/plans", ownershipFilter="owned")["data"]
    shared = listed(remote, pair, "/v4/plans", ownershipFilter="shared")["data"]

    assert len(every) == len(workspace.assets.by_kind["plan"])
    assert owned
    assert {p["creator"]["id"] for p in owned} == {me}
    assert all(p["creator"]["id"] != me for p in shared)
    assert {p["id"] for p in owned} | {p["id"] for p in shared} <= {
        p["id"] for p in every
    }
    for ownership, plans in (("all", every), ("owned", owned), ("shared", shared)):
        count = remote.get(
            "/v4/plans/count", pair, params={"ownershipFilter": ownership}
        )
        assert count.json() == {"count": len(plans)}


def test_it_shows_a_per_owner_token_only_what_it_owns_or_shares(connect):
    remote = connect(list_scope="owner")
    workspace, pair = remote.workspace(schedules=200)
    me = workspace.people[0]["id"]

    for path, kind in (("/v4/plans", "plan"), ("/v4/flows", "flow")):
        seen = ids(listed(remote, pair, path, **EVERYONES))
        mine = [
            a.id for a in workspace.assets.by_kind[kind].values() if a.visible_to(me)
        ]
        assert seen == sorted(mine)
        assert 0 < len(seen) < len(workspace.assets.by_kind[kind])


def test_it_gives_the_full_plan_with_the_flows_its_tasks_run(remote):
    workspace, pair = remote.workspace(schedules=60)
    plan = next(iter(workspace.assets.by_kind["plan"].values()))

    full = remote.get(f"/v4/plans/{plan.id}/full", pair).json()

    assert (full["id"], full["name"]) == (plan.id, plan.name)
    flows = workspace.assets.by_kind["flow"]
    assert [task["flow"]["id"] for task in full["tasks"]] == list(plan.flow_ids)
    for task in full["tasks"]:
        flow = task["flow"]
        assert flow.get("name") == (
            flows[flow["id"]].name if flow["id"] in flows else None
        )


@pytest.mark.parametrize(("plan", "status"), [("999", 404), ("x1", 400)])
def test_it_refuses_an_unknown_or_malformed_plan(remote, plan, status):
    _, pair = remote.workspace()

    answer = remote.get(f"/v4/plans/{plan}/full", pair)

    assert answer.status_code == status
    assert answer.json()["exception"]["name"] in (
        "DataNotFoundException",
        "ApiValidationFailed",
    )


def test_it_always_counts_workflows_and_has_no_route_for_one(remote):
    workspace, pair = remote.workspace(schedules=60)
    some_id = next(iter(workspace.assets.by_kind["workflow"]))

    body = remote.get("/v4/workflows", pair, params={"limit": 2}).json()
    one = remote.get(f"/v4/workflows/{some_id}", pair)

    assert body["count"] == len(workspace.assets.by_kind["workflow"])
    assert len(body["data"]) == 2
    assert {item["type"] for item in listed(remote, pair, "/v4/workflows")["data"]} == {
        "CLOUD",
        "DESKTOP",
    }
    assert one.status_code == 404
    assert one.json()["exception"]["name"] == "RouteNotFoundException"


def test_it_lists_workflows_on_the_workflow_service_too(remote):
    _, pair = remote.workspace(schedules=60)

    service = listed(remote, pair, "/svc-workflow/api/v1/workflows")
    v4 = listed(remote, pair, "/v4/workflows")

    assert service["data"] == v4["data"]
    assert "count" not in service


@pytest.mark.parametrize("sort", ["name", "-name", "updatedAt", "-createdAt", "-id"])
def test_it_sorts_assets(remote, sort):
    _, pair = remote.workspace(schedules=60)
    key = sort.lstrip("-")

    flows = listed(remote, pair, "/v4/flows", sort=sort, **EVERYONES)["data"]

    values = [flow[key] for flow in flows]
    assert values == sorted(values, reverse=sort.startswith("-"))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v4/plans", {"ownershipFilter": "mine"}),
        ("/v4/flows", {"sort": "owner"}),
        ("/v4/workflows", {"limit": "1001"}),
    ],
)
def test_it_refuses_bad_list_parameters(remote, path, params):
    _, pair = remote.workspace()

    answer = remote.get(path, pair, params=params)

    assert answer.status_code == 400
    assert answer.json()["exception"]["name"] == "ApiValidationFailed"


def test_the_workflow_services_list_pages_by_ten_by_default(remote):
    workspace, pair = remote.workspace(schedules=60)

    body = remote.get("/svc-workflow/api/v1/workflows", pair).json()

    assert len(workspace.assets.by_kind["workflow"]) > 10
    assert len(body["data"]) == 10


def test_the_workflow_service_refuses_bad_list_parameters_in_its_dialect(remote):
    _, pair = remote.workspace()

    answer = remote.get("/svc-workflow/api/v1/workflows", pair, params={"limit": "0"})

    assert answer.status_code == 400
    assert answer.json()["kind"] == "BadRequestError"
    assert "limit" in answer.json()["message"]
