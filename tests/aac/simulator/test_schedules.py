"""Schedules over HTTP: pages, count, one by id, enable and disable, and the
owner rule (docs/aac-api.md, Schedules: only the owner may change one)."""

import pytest

from aac.errors import AccessDenied, NotFound
from tests.aac.simulator.world import everything, ids


def test_it_fetches_2500_schedules_in_three_pages(make_world):
    world = make_world(schedules=2500)

    pages = list(world.client.iter_schedule_pages())

    assert [len(page) for page in pages] == [1000, 1000, 500]
    assert len(set(ids(everything(pages)))) == 2500
    assert world.requests("schedules.list") == 3
    assert world.client.count_schedules() == 2500


def test_it_enables_disables_and_misses_schedules(world):
    schedule_id = world.schedule_of(world.admin)["id"]

    assert world.client.disable_schedule(schedule_id).enabled is False
    assert world.client.get_schedule(schedule_id)["enabled"] is False
    assert world.client.enable_schedule(schedule_id).enabled is True
    with pytest.raises(NotFound, match="DataNotFoundException"):
        world.client.get_schedule(10**9)


@pytest.mark.parametrize("action", ["enable_schedule", "disable_schedule"])
def test_only_the_owner_may_change_a_schedule(world, action):
    owner = world.colleagues()[0]
    schedule = world.schedule_of(owner)
    enabled = schedule["enabled"]

    with pytest.raises(AccessDenied) as info:
        getattr(world.client, action)(schedule["id"])

    assert (info.value.status, info.value.code) == (403, "AccessControlException")
    assert "owner" in str(info.value)
    assert world.client.get_schedule(schedule["id"])["enabled"] is enabled
    owners = world.client_for(world.pair_for(owner))
    changed = getattr(owners, action)(schedule["id"])
    assert changed.enabled is (action == "enable_schedule")
    assert changed.schedule["id"] == schedule["id"]
    assert changed.request_id


def test_a_token_scoped_to_its_owner_lists_only_their_schedules(make_world):
    world = make_world(list_scope="owner")
    owner = world.colleagues()[0]
    client = world.client_for(world.pair_for(owner))

    schedules = everything(client.iter_schedule_pages())

    mine = [s["id"] for s in world.sim.schedules(world.workspace.id)]
    mine = [i for i in mine if world.workspace.schedules[i]["createdBy"] == owner]
    assert ids(schedules) == mine
    assert client.count_schedules() == len(mine)
