import re
from collections import Counter

import pytest

from aacsim import Simulator
from aacsim.assets import ID_FIELDS
from aacsim.assets import TASK_KINDS as ASSET_TASKS
from aacsim.data import TASK_KINDS, TRIGGER_KINDS, UNKNOWN_TASK_KIND

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


@pytest.fixture(scope="module")
def big():
    """One 1,500-schedule workspace, shared: generating it is the slow part."""
    sim = Simulator(seed=11, issuer="https://issuer.test/as")
    workspace = sim.add_workspace(name="Big", schedules=1500, people=60)
    return workspace, sim.schedules(workspace.id)


def trigger_kind(trigger: dict) -> str:
    if "timeBased" in trigger:
        return next(k for k in trigger["timeBased"] if k in TRIGGER_KINDS)
    return next(k for k in trigger if k not in ("id", "lastExecutionTime"))


def task_kind(task: dict) -> str:
    return next(k for k in task if k != "id")


def identity(sim: Simulator, workspace) -> tuple:
    return (
        workspace.id,
        workspace.gid,
        workspace.client_id,
        workspace.project_id,
        workspace.people,
        sim.schedules(workspace.id),
    )


def assets(workspace) -> dict:
    return {
        kind: [(a.id, a.name, a.owner) for a in by_id.values()]
        for kind, by_id in workspace.assets.by_kind.items()
    }


def test_it_generates_the_same_data_from_the_same_seed_and_clock():
    first = Simulator(seed=5, clock=lambda: 1_800_000_000.0)
    second = Simulator(seed=5, clock=lambda: 1_800_000_000.0)
    a = first.add_workspace(name="A", schedules=200)
    b = second.add_workspace(name="A", schedules=200)

    assert identity(first, a) == identity(second, b)
    assert assets(a) == assets(b)
    assert a.person_details == b.person_details


def test_it_generates_different_data_from_another_seed():
    first, second = Simulator(seed=5), Simulator(seed=6)
    a = first.add_workspace(name="A", schedules=200)
    b = second.add_workspace(name="A", schedules=200)

    assert a.gid != b.gid
    assert a.client_id != b.client_id
    assert first.schedules(a.id) != second.schedules(b.id)


def test_it_generates_each_workspace_independently_of_the_others():
    small, large = Simulator(seed=5), Simulator(seed=5)
    small.add_workspace(name="First", schedules=3)
    large.add_workspace(name="First", schedules=300)

    a = small.add_workspace(name="Second", schedules=50)
    b = large.add_workspace(name="Second", schedules=50)

    assert identity(small, a) == identity(large, b)
    assert a.id != small.workspaces[0].id


def test_it_has_every_trigger_and_task_variant(big):
    _, schedules = big

    triggers = Counter(trigger_kind(t) for s in schedules for t in s["triggers"])
    tasks = Counter(task_kind(t) for s in schedules for t in s["tasks"])

    assert set(TRIGGER_KINDS) <= set(triggers)
    assert set(TASK_KINDS) <= set(tasks)


def test_it_shapes_schedules_like_the_v4_model(big):
    workspace, schedules = big
    people = {p["id"]: p for p in workspace.people}

    for schedule in schedules:
        assert isinstance(schedule["id"], int)
        assert isinstance(schedule["enabled"], bool)
        assert (schedule["disableReason"] is None) == schedule["enabled"]
        assert ISO.fullmatch(schedule["createdAt"])
        assert schedule["createdAt"] <= schedule["updatedAt"]
        assert schedule["createdBy"] in people
        assert schedule["updatedBy"] in people
        if "creator" in schedule:
            assert schedule["creator"] == people[schedule["createdBy"]]
    assert [s["id"] for s in schedules] == sorted(s["id"] for s in schedules)


def test_it_fills_in_the_variants_details(big):
    _, schedules = big
    triggers = [t for s in schedules for t in s["triggers"]]
    timed = [t["timeBased"] for t in triggers if "timeBased" in t]
    crons = [t["cron"]["expression"] for t in timed if "cron" in t]
    workflows = [
        t["runWorkflow"] for s in schedules for t in s["tasks"] if "runWorkflow" in t
    ]

    assert {len(c.split()) for c in crons} >= {5, 6, 7}
    assert any("?" in c for c in crons)
    assert all(t["timezone"] for t in timed if "oneTime" not in t)
    assert any("utcStartDateTime" in t for t in timed)
    assert any("lastExecutionTime" in s["triggers"][0] for s in schedules)
    assert all(ULID.fullmatch(w["workflowId"]) for w in workflows)
    assert {w["type"] for w in workflows} == {"CLOUD", "DESKTOP"}
    assert any(not s["name"].isascii() for s in schedules)
    assert any(not s["enabled"] for s in schedules)


def test_it_gives_some_schedules_disabled_owners(big):
    workspace, schedules = big
    disabled = [p for p in workspace.people if p["isDisabled"]]

    assert 0.03 <= len(disabled) / len(workspace.people) <= 0.2
    assert not workspace.people[0]["isDisabled"]
    assert any(s.get("creator", {}).get("isDisabled") for s in schedules)


def test_it_mixes_in_oddities(big):
    _, schedules = big
    tasks = [task_kind(t) for s in schedules for t in s["tasks"]]
    triggers = [trigger_kind(t) for s in schedules for t in s["triggers"]]
    crons = [
        t["timeBased"]["cron"]["expression"]
        for s in schedules
        for t in s["triggers"]
        if "cron" in t.get("timeBased", {})
    ]

    assert UNKNOWN_TASK_KIND in tasks
    assert set(triggers) - set(TRIGGER_KINDS)
    assert max(map(len, crons)) > 200
    assert any("creator" not in s for s in schedules)


def test_it_leaves_oddities_out_when_asked():
    sim = Simulator(seed=11, oddities=False)
    workspace = sim.add_workspace(name="Tidy", schedules=1500)
    schedules = sim.schedules(workspace.id)

    assert {trigger_kind(t) for s in schedules for t in s["triggers"]} <= set(
        TRIGGER_KINDS
    )
    assert {task_kind(t) for s in schedules for t in s["tasks"]} <= set(TASK_KINDS)
    assert all("creator" in s for s in schedules)


def test_it_adds_removes_and_touches_schedules():
    sim = Simulator(seed=2, clock=lambda: 1_900_000_000.0)
    workspace = sim.add_workspace(name="W", schedules=10)
    before = list(workspace.schedules)

    added = sim.add_schedules(workspace.id, 2)
    removed = sim.remove_schedules(workspace.id, [before[0], 12345])
    dropped = sim.remove_schedules(workspace.id, 3)
    touched = sim.touch_schedules(workspace.id, 2)

    assert min(s["id"] for s in added) > max(before)
    assert removed == [before[0]]
    assert len(dropped) == 3
    assert len(workspace.schedules) == 8
    assert list(workspace.schedules) == sorted(workspace.schedules)
    touched_at = {workspace.schedules[i]["updatedAt"] for i in touched}
    assert touched_at == {"2030-03-17T17:46:40.000Z"}


def test_it_points_every_task_at_an_asset_of_the_schedules_owner(big):
    workspace, schedules = big
    runs_asset = 0

    for schedule in schedules:
        for task in schedule["tasks"]:
            kind = next((ASSET_TASKS[k] for k in ASSET_TASKS if k in task), None)
            if kind is None:
                continue
            fields = next(task[k] for k in ASSET_TASKS if k in task)
            asset = workspace.assets.get(kind, fields[ID_FIELDS[kind]])
            assert (asset.name, asset.owner) == (fields["name"], schedule["createdBy"])
            assert fields["creator"] == {"id": schedule["createdBy"]}
            assert fields["workspaceId"] == workspace.id
            runs_asset += 1

    assert runs_asset > 1000


def test_it_makes_assets_no_schedule_runs_and_some_shared(big):
    workspace, schedules = big
    scheduled = {
        workspace.assets.of_task(task)
        for schedule in schedules
        for task in schedule["tasks"]
    }

    for kind, by_id in workspace.assets.by_kind.items():
        assert set(by_id.values()) - scheduled, kind
    assert any(
        a.shared_with
        for by_id in workspace.assets.by_kind.values()
        for a in by_id.values()
    )
    workflows = workspace.assets.by_kind["workflow"]
    assert all(ULID.fullmatch(workflow_id) for workflow_id in workflows)


def test_it_gives_the_first_schedule_to_the_admin(big):
    workspace, schedules = big

    assert schedules[0]["createdBy"] == workspace.people[0]["id"]


def test_every_asset_has_its_own_serial():
    sim = Simulator(seed=3)
    workspace = sim.add_workspace(name="Serials", schedules=200)

    serials = [
        asset.serial
        for kind in ("plan", "flow", "workflow")
        for asset in workspace.assets.by_kind[kind].values()
    ]

    assert len(set(serials)) == len(serials)
