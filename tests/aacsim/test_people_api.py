import re

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_it_lists_people_with_admin_and_last_login(remote):
    workspace, pair = remote.workspace()

    body = remote.get("/v4/people", pair, params={"limit": 100}).json()

    assert list(body) == ["data"]
    people = body["data"]
    assert [p["id"] for p in people] == [p["id"] for p in workspace.people]
    for person in people:
        assert set(person) == {
            "id",
            "email",
            "name",
            "isDisabled",
            "state",
            "isAdmin",
            "lastLoginTime",
        }
        assert person["lastLoginTime"] is None or ISO.fullmatch(person["lastLoginTime"])
    assert people[0]["isAdmin"] is True
    assert any(p["isDisabled"] for p in people)


def test_it_pages_people_like_other_v4_lists(remote):
    workspace, pair = remote.workspace()
    sizes = []
    for offset in range(0, 50, 25):
        answer = remote.get(
            "/v4/people", pair, params={"offset": offset, "includeCount": "true"}
        )
        sizes.append((len(answer.json()["data"]), answer.json()["count"]))

    assert sizes == [(20, 20), (0, 20)]
    small = remote.get("/v4/people", pair, params={"limit": 3, "offset": 18}).json()
    assert [p["id"] for p in small["data"]] == [p["id"] for p in workspace.people[18:]]
    refused = remote.get("/v4/people", pair, params={"limit": 0})
    assert refused.json()["exception"]["name"] == "ApiValidationFailed"


def test_it_shows_everyone_even_to_a_per_owner_token(connect):
    remote = connect(list_scope="owner")
    workspace, pair = remote.workspace()

    body = remote.get("/v4/people", pair, params={"includeCount": "true"}).json()

    assert body["count"] == len(workspace.people)


def test_it_names_the_schedule_owner_as_the_people_list_does(remote):
    workspace, pair = remote.workspace(schedules=30)
    people = {
        p["id"]: p
        for p in remote.get("/v4/people", pair, params={"limit": 100}).json()["data"]
    }

    for schedule in remote.sim.schedules(workspace.id):
        if "creator" in schedule:
            person = people[schedule["createdBy"]]
            assert schedule["creator"] == {
                k: person[k] for k in ("id", "email", "name", "isDisabled", "state")
            }
