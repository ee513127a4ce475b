"""Several people per workspace: pairs for anyone, per-owner lists, the owner rule."""

import pytest

from aacsim import Simulator
from aacsim.workspace import NotOwner


def owned_by(workspace, person_id: int) -> list[int]:
    return [i for i, s in workspace.schedules.items() if s["createdBy"] == person_id]


def someone_active(workspace, but: int | None = None) -> dict:
    return next(
        p
        for p in workspace.people[1:]
        if not p["isDisabled"] and p["id"] != but and owned_by(workspace, p["id"])
    )


def listed_ids(remote, pair) -> list[int]:
    body = remote.get("/v4/schedules", pair, params={"limit": 1000}).json()
    return [item["id"] for item in body["data"]]


def test_it_lists_per_owner_or_per_workspace_as_each_workspace_chooses(remote):
    complete = remote.sim.add_workspace(name="Complete", schedules=60)
    partial = remote.sim.add_workspace(
        name="Per owner", schedules=60, list_scope="owner"
    )
    admin = partial.people[0]["id"]

    whole = listed_ids(remote, remote.sim.new_token_pair(complete.id))
    own = listed_ids(remote, remote.sim.new_token_pair(partial.id))

    assert (complete.list_scope, partial.list_scope) == ("workspace", "owner")
    assert whole == list(complete.schedules)
    assert own == owned_by(partial, admin)
    assert 0 < len(own) < 60


def test_it_mints_a_pair_whose_token_speaks_for_its_person(connect):
    remote = connect(list_scope="owner")
    workspace, _ = remote.workspace(schedules=80)
    person = someone_active(workspace)

    pair = remote.sim.new_token_pair(workspace.id, person_id=person["id"])
    schedule_id = owned_by(workspace, person["id"])[0]
    count = remote.get("/v4/schedules/count", pair).json()["count"]
    disabled = remote.post(f"/v4/schedules/{schedule_id}/disable", pair).json()

    assert listed_ids(remote, pair) == owned_by(workspace, person["id"])
    assert count == len(owned_by(workspace, person["id"]))
    assert disabled["updatedBy"] == person["id"]
    assert remote.sim.authenticate(pair.access_token).person_id == person["id"]
    assert remote.sim.credentials()[-1]["person"] == {
        "id": person["id"],
        "email": person["email"],
        "name": person["name"],
    }


@pytest.mark.parametrize("action", ["enable", "disable"])
def test_it_refuses_a_non_owner_who_enables_or_disables_a_schedule(remote, action):
    workspace, pair = remote.workspace(schedules=40)
    schedule_id = owned_by(workspace, someone_active(workspace)["id"])[0]
    before = remote.sim.schedules(workspace.id)

    answer = remote.post(f"/v4/schedules/{schedule_id}/{action}", pair)

    assert answer.status_code == 403
    assert answer.json()["exception"]["name"] == "AccessControlException"
    assert answer.headers["x-trifacta-request-id"]
    assert remote.sim.schedules(workspace.id) == before


def test_it_refuses_a_non_owner_who_deletes_but_lets_the_owner(remote):
    workspace, pair = remote.workspace(schedules=40)
    owner = someone_active(workspace)
    schedule_id = owned_by(workspace, owner["id"])[0]
    owners_pair = remote.sim.new_token_pair(workspace.id, person_id=owner["id"])

    refused = remote.call("DELETE", f"/v4/schedules/{schedule_id}", pair)
    deleted = remote.call("DELETE", f"/v4/schedules/{schedule_id}", owners_pair)

    assert refused.status_code == 403
    assert refused.json()["exception"]["name"] == "AccessControlException"
    assert deleted.status_code == 204
    assert schedule_id not in workspace.schedules


def test_nobody_changes_a_disabled_owners_schedule():
    sim = Simulator(seed=3, issuer="https://sim.test/as")
    workspace = sim.add_workspace(name="W", schedules=300, people=30)
    owner = next(
        p for p in workspace.people if p["isDisabled"] and owned_by(workspace, p["id"])
    )
    schedule_id = owned_by(workspace, owner["id"])[0]
    admin = sim.authenticate(sim.new_token_pair(workspace.id).access_token)

    with pytest.raises(ValueError, match="disabled"):
        sim.new_token_pair(workspace.id, person_id=owner["id"])
    with pytest.raises(NotOwner):
        sim.set_enabled(admin, schedule_id, False)


def test_it_mints_pairs_for_people_over_the_control_api(remote):
    workspace, _ = remote.workspace()
    person = someone_active(workspace)
    disabled = next(p for p in workspace.people if p["isDisabled"])

    minted = remote.control(
        "POST", f"/workspaces/{workspace.id}/tokens", json={"person": person["id"]}
    )
    unknown = remote.control(
        "POST", f"/workspaces/{workspace.id}/tokens", json={"person": 1}
    )
    refused = remote.control(
        "POST", f"/workspaces/{workspace.id}/tokens", json={"person": disabled["id"]}
    )
    malformed = remote.control(
        "POST", f"/workspaces/{workspace.id}/tokens", json={"person": "alice"}
    )

    assert minted.status_code == 201
    assert minted.json()["person"]["id"] == person["id"]
    token = minted.json()["access_token"]
    assert remote.sim.authenticate(token).person_id == person["id"]
    assert (unknown.status_code, refused.status_code) == (404, 400)
    assert malformed.status_code == 400


def test_it_adds_a_per_owner_workspace_over_the_control_api(remote):
    added = remote.control(
        "POST",
        "/workspaces",
        json={"name": "Owners", "schedules": 30, "list_scope": "owner"},
    )
    refused = remote.control("POST", "/workspaces", json={"list_scope": "everyone"})

    listed = remote.control("GET", "/workspaces").json()
    assert added.json()["workspace"]["list_scope"] == "owner"
    assert [w["list_scope"] for w in listed] == ["owner"]
    assert refused.status_code == 400
