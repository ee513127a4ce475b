import pytest

from aacsim import Simulator
from tests.clocks import Clock

APIGEE_FAULT = {
    "fault": {
        "faultstring": "Invalid ApiKey",
        "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
    }
}
PATHS = [
    ("GET", "/v4/workspaces/current"),
    ("GET", "/v4/schedules"),
    ("GET", "/v4/schedules/count"),
    ("GET", "/v4/schedules/1"),
    ("POST", "/v4/schedules/1/enable"),
    ("POST", "/v4/schedules/1/disable"),
    ("DELETE", "/v4/schedules/1"),
    ("GET", "/v4/people"),
    ("GET", "/v4/plans"),
    ("POST", "/v4/flows/1/run"),
    ("GET", "/v4/jobLibrary"),
    ("GET", "/v4/jobGroups/1/status"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_it_answers_401_without_a_bearer_token(remote, method, path):
    remote.workspace()

    answer = remote.call(method, path)

    assert answer.status_code == 401
    assert answer.json()["exception"]["name"] == "AuthenticationFailed"
    assert answer.headers["x-trifacta-request-id"]


def test_it_answers_401_once_the_access_token_expires(connect):
    clock = Clock()
    remote = connect(clock=clock, access_token_lifetime=300)
    _, pair = remote.workspace()

    clock.advance(299)
    before = remote.get("/v4/workspaces/current", pair)
    clock.advance(1)
    after = remote.get("/v4/workspaces/current", pair)

    assert before.status_code == 200
    assert after.status_code == 401


def test_it_answers_401_for_a_token_another_simulator_signed(remote):
    remote.workspace()
    stranger = Simulator(seed=3, issuer=remote.sim.issuer)
    foreign = stranger.new_token_pair(stranger.add_workspace(name="Test").id)

    answer = remote.get("/v4/workspaces/current", foreign)

    assert answer.status_code == 401


def test_it_binds_a_token_to_its_workspace_whatever_the_headers_say(remote):
    mine, pair = remote.workspace("Mine", schedules=5)
    theirs, _ = remote.workspace("Theirs", schedules=5)
    their_schedule = next(iter(theirs.schedules))
    headers = {"x-trifacta-workspace-id": str(theirs.id)}

    current = remote.get("/v4/workspaces/current", pair, headers=dict(headers))
    listed = remote.get("/v4/schedules", pair, headers=dict(headers))
    foreign = remote.get(f"/v4/schedules/{their_schedule}", pair)

    assert current.json()["id"] == mine.id
    assert {s["id"] for s in listed.json()["data"]} <= set(mine.schedules)
    assert foreign.status_code == 404


def test_it_describes_the_current_workspace(remote):
    workspace, pair = remote.workspace("Demo EU")

    body = remote.get("/v4/workspaces/current", pair).json()

    assert body["id"] == workspace.id
    assert body["name"] == "Demo EU"
    assert body["gid"] == workspace.gid
    assert len(body["gid"]) == 26
    assert body["state"] == "active"
    assert body["workspace_member_count"] == len(workspace.people)
    for key in ("custom_url", "createdAt", "updatedAt", "workspace_tier"):
        assert body[key]
    assert isinstance(body["max_user_number"], int)


def test_it_serves_the_gateway_workspace_with_the_right_project_id(remote):
    workspace, pair = remote.workspace()

    answer = remote.get(
        "/iam/v1/workspaces/current",
        pair,
        headers={"x-api-project-id": workspace.project_id, "User-Agent": "tests"},
    )

    assert answer.status_code == 200
    assert answer.json()["gid"] == workspace.gid


@pytest.mark.parametrize("project", ["missing", "wrong", "other workspace's"])
def test_it_refuses_a_bad_project_id_with_apigees_fault(remote, project):
    _, pair = remote.workspace("Mine")
    other, _ = remote.workspace("Theirs")
    headers = {
        "missing": {},
        "wrong": {"x-api-project-id": "nope"},
        "other workspace's": {"x-api-project-id": other.project_id},
    }[project]

    answer = remote.get("/iam/v1/workspaces/current", pair, headers=headers)

    assert answer.status_code == 401
    assert answer.json() == APIGEE_FAULT


def test_it_checks_the_project_id_before_the_bearer_token(remote):
    workspace, _ = remote.workspace()

    bad_key = remote.get("/iam/v1/workspaces/current")
    bad_token = remote.get(
        "/iam/v1/workspaces/current",
        headers={"x-api-project-id": workspace.project_id},
    )

    assert bad_key.json() == APIGEE_FAULT
    assert bad_token.json()["exception"]["name"] == "AuthenticationFailed"


@pytest.mark.parametrize(
    ("base", "path"),
    [
        ("api", "/iam/v1/workspaces/current"),
        ("api", "/v4/nothing-here"),
        ("api", "/scheduling/v1/schedules"),
        ("gateway", "/v4/workspaces/current"),
    ],
)
def test_it_answers_route_not_found_elsewhere(remote, base, path):
    _, pair = remote.workspace()
    url = (remote.api if base == "api" else remote.gateway) + path

    answer = remote.http.get(
        url, headers={"Authorization": f"Bearer {pair.access_token}"}, timeout=5
    )

    assert answer.status_code == 404
    assert answer.json()["exception"]["name"] == "RouteNotFoundException"
    assert answer.json()["exception"]["message"] == "This route does not exist"
