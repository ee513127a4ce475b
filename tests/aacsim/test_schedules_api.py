import pytest

from aacsim import Simulator
from tests.clocks import Clock


def list_ids(remote, pair, **params) -> list[int]:
    answer = remote.get("/v4/schedules", pair, params=params)
    assert answer.status_code == 200
    return [item["id"] for item in answer.json()["data"]]


def test_it_lists_ten_schedules_in_the_v4_envelope_by_default(remote):
    workspace, pair = remote.workspace(schedules=25)

    answer = remote.get("/v4/schedules", pair)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert list(answer.json()) == ["data"]
    assert [s["id"] for s in answer.json()["data"]] == list(workspace.schedules)[:10]


def test_it_adds_the_total_count_when_asked(remote):
    _, pair = remote.workspace(schedules=25)

    body = remote.get("/v4/schedules", pair, params={"includeCount": "true"}).json()

    assert body["count"] == 25
    assert len(body["data"]) == 10


def test_it_pages_by_limit_and_offset_in_id_order(remote):
    workspace, pair = remote.workspace(schedules=23)

    pages = [list_ids(remote, pair, limit=7, offset=o) for o in range(0, 35, 7)]

    assert [len(page) for page in pages] == [7, 7, 7, 2, 0]
    assert [i for page in pages for i in page] == sorted(workspace.schedules)


@pytest.mark.parametrize("limit", ["1", "1000"])
def test_it_accepts_the_limits_bounds(remote, limit):
    _, pair = remote.workspace(schedules=3)

    assert len(list_ids(remote, pair, limit=limit)) == min(int(limit), 3)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
        {"offset": "-1"},
        {"offset": "x"},
        {"sort": "owner"},
    ],
)
def test_it_refuses_bad_list_parameters(remote, params):
    _, pair = remote.workspace(schedules=3)

    answer = remote.get("/v4/schedules", pair, params=params)

    assert answer.status_code == 400
    assert answer.json()["exception"]["name"] == "ApiValidationFailed"
    assert answer.headers["x-trifacta-request-id"]


@pytest.mark.parametrize("key", ["id", "updatedAt", "name"])
def test_it_sorts_both_ways(remote, key):
    workspace, pair = remote.workspace(schedules=30)
    expected = sorted(workspace.schedules.values(), key=lambda s: (s[key], s["id"]))

    ascending = remote.get("/v4/schedules", pair, params={"sort": key, "limit": 30})
    descending = remote.get(
        "/v4/schedules", pair, params={"sort": f"-{key}", "limit": 30}
    )

    assert [s[key] for s in ascending.json()["data"]] == [s[key] for s in expected]
    assert [s[key] for s in descending.json()["data"]] == [
        s[key] for s in reversed(expected)
    ]


def test_it_counts_schedules(remote):
    _, pair = remote.workspace(schedules=17)

    assert remote.get("/v4/schedules/count", pair).json() == {"count": 17}


def test_it_gets_one_schedule_as_listed(remote):
    _, pair = remote.workspace(schedules=5)
    listed = remote.get("/v4/schedules", pair).json()["data"][2]

    answer = remote.get(f"/v4/schedules/{listed['id']}", pair)

    assert answer.json() == listed


@pytest.mark.parametrize(("path", "status"), [("/999", 404), ("/abc", 400)])
def test_it_refuses_unknown_or_malformed_schedule_ids(remote, path, status):
    _, pair = remote.workspace(schedules=5)

    for method, suffix in (("GET", ""), ("POST", "/enable"), ("DELETE", "")):
        answer = remote.call(method, f"/v4/schedules{path}{suffix}", pair)
        assert answer.status_code == status
        expected = "DataNotFoundException" if status == 404 else "ApiValidationFailed"
        assert answer.json()["exception"]["name"] == expected


def test_it_disables_and_enables_a_schedule(connect):
    clock = Clock(1_800_000_000)
    remote = connect(clock=clock)
    workspace, pair = remote.workspace(schedules=5)
    schedule_id = next(iter(workspace.schedules))

    disabled = remote.call("POST", f"/v4/schedules/{schedule_id}/disable", pair)
    stored = remote.get(f"/v4/schedules/{schedule_id}", pair).json()
    enabled = remote.call("POST", f"/v4/schedules/{schedule_id}/enable", pair)

    assert disabled.status_code == 200
    assert disabled.json()["enabled"] is False
    assert disabled.json()["disableReason"]
    assert disabled.json()["updatedAt"] == "2027-01-15T08:00:00.000Z"
    assert disabled.json()["updatedBy"] == workspace.people[0]["id"]
    assert stored == disabled.json()
    assert enabled.json()["enabled"] is True
    assert enabled.json()["disableReason"] is None


def test_it_deletes_a_schedule_from_the_list_at_once(remote):
    workspace, pair = remote.workspace(schedules=5)
    schedule_id = next(iter(workspace.schedules))  # the admin's, as the pair is

    deleted = remote.call("DELETE", f"/v4/schedules/{schedule_id}", pair)

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert schedule_id not in list_ids(remote, pair)
    assert remote.get("/v4/schedules/count", pair).json() == {"count": 4}
    assert remote.get(f"/v4/schedules/{schedule_id}", pair).status_code == 404


def test_it_gives_every_answer_its_own_request_id(remote):
    _, pair = remote.workspace(schedules=5)

    answers = [
        remote.get("/v4/schedules", pair),
        remote.get("/v4/schedules", pair),
        remote.get("/v4/workspaces/current", pair),
        remote.get("/v4/schedules/999", pair),
        remote.get("/v4/schedules"),
        remote.get("/v4/nope", pair),
    ]

    ids = [answer.headers["x-trifacta-request-id"] for answer in answers]
    assert len(set(ids)) == len(ids)


def test_it_serves_unicode_names_as_utf8(remote):
    workspace, pair = remote.workspace(schedules=60)
    names = {s["name"] for s in remote.sim.schedules(workspace.id)}
    assert any(not name.isascii() for name in names)

    listed = remote.get("/v4/schedules", pair, params={"limit": 60})

    assert "charset=utf-8" in listed.headers["Content-Type"]
    assert {s["name"] for s in listed.json()["data"]} == names


def test_it_lists_only_the_token_owners_schedules_in_owner_scope(connect):
    remote = connect(list_scope="owner")
    workspace, pair = remote.workspace(schedules=200)
    owner = workspace.people[0]["id"]
    owned = sorted(i for i, s in workspace.schedules.items() if s["createdBy"] == owner)

    listed = list_ids(remote, pair, limit=1000)
    count = remote.get("/v4/schedules/count", pair).json()["count"]

    assert 0 < len(owned) < 200
    assert listed == owned
    assert count == len(owned)


def test_it_refuses_an_unknown_list_scope():
    with pytest.raises(ValueError, match="list_scope"):
        Simulator(list_scope="everyone")
