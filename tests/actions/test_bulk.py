"""Enable and disable, one or many: through the owner's connection, each
schedule's result kept, the cache taking AAC's answer at once, every item in
the activity log."""

import pytest
from django.utils import timezone

from actions.bulk import create_bulk_change, run_bulk_change
from actions.models import BulkChange, BulkItem, Change
from activity.models import Entry
from schedules.models import Schedule
from tests.actions.worlds import acting_world, in_aac
from tests.factories import make_schedule, make_workspace


@pytest.fixture
def world(db, make_sim_workspace):
    return acting_world(make_sim_workspace)


def disable(world, schedules, *, reason="Migration weekend"):
    ids = [s.pk for s in schedules]
    return create_bulk_change(
        actor=world.bob,
        action=Change.DISABLE,
        schedules=Schedule.objects.filter(pk__in=ids),
        reason=reason,
        chosen=f"{len(ids)} ticked rows",
    )


def test_it_disables_through_the_owners_connection_and_says_whose_account_is_missing(
    world, aac_sim
):
    mine = next(s for s in world.own if s.enabled)
    theirs = next(s for s in world.others if s.enabled)
    change = disable(world, [mine, theirs])

    assert run_bulk_change(change.pk) is False

    change.refresh_from_db()
    assert change.status == BulkChange.Status.FINISHED
    done = change.items.get(schedule_aac_id=mine.aac_id)
    assert (done.status, done.aac_request_id != "") == ("succeeded", True)
    assert in_aac(aac_sim, world.remote, mine.aac_id)["enabled"] is False
    assert Schedule.objects.get(pk=mine.pk).enabled is False  # at once, no sync
    failed = change.items.get(schedule_aac_id=theirs.aac_id)
    assert failed.status == "failed"
    assert failed.message.startswith(f"Only {theirs.owner_name} may change it in AAC")
    assert in_aac(aac_sim, world.remote, theirs.aac_id)["enabled"] is True


def test_every_schedule_writes_its_activity_row_with_the_user_and_outcome(world):
    mine = next(s for s in world.own if s.enabled)
    theirs = next(s for s in world.others if s.enabled)
    run_bulk_change(disable(world, [mine, theirs], reason="Leaving").pk)

    rows = Entry.objects.filter(action="disable").order_by("target_id")
    assert {(e.target_id, e.outcome, e.username) for e in rows} == {
        (str(mine.aac_id), "succeeded", "bob"),
        (str(theirs.aac_id), "failed", "bob"),
    }
    assert all(e.message.endswith("Reason: Leaving") for e in rows)
    assert rows.get(target_id=str(mine.aac_id)).aac_request_id


def test_it_has_nothing_to_do_for_a_schedule_already_in_that_state(world, sim_stats):
    mine = world.own[0]
    Schedule.objects.filter(pk=mine.pk).update(enabled=False)
    change = disable(world, [mine])
    before = sim_stats.requests(world.remote, "schedules.disable")
    run_bulk_change(change.pk)
    item = change.items.get()
    assert (item.status, item.message) == ("skipped", "Already disabled.")
    assert sim_stats.requests(world.remote, "schedules.disable") == before


def test_it_leaves_out_the_schedules_of_workspaces_the_user_only_views(world):
    elsewhere = make_schedule(make_workspace("Viewed only"))
    change = disable(world, [world.own[0], elsewhere])
    assert list(change.items.values_list("schedule_aac_id", flat=True)) == [
        world.own[0].aac_id
    ]


def test_a_change_taken_over_after_its_worker_died_does_only_what_is_left(
    world, sim_stats
):
    first, second = [s for s in world.own if s.enabled][:2]
    change = disable(world, [first, second])
    change.items.filter(schedule_aac_id=first.aac_id).update(
        status=BulkItem.Status.SUCCEEDED, message="Done before the worker died."
    )
    BulkChange.objects.filter(pk=change.pk).update(
        status=BulkChange.Status.RUNNING, heartbeat_at=timezone.now()
    )
    before = sim_stats.requests(world.remote, "schedules.disable")

    run_bulk_change(change.pk)

    assert sim_stats.requests(world.remote, "schedules.disable") == before + 1
    assert change.items.get(schedule_aac_id=first.aac_id).message == (
        "Done before the worker died."
    )
    assert change.items.get(schedule_aac_id=second.aac_id).status == "succeeded"


def test_it_stops_within_its_budget_and_says_more_is_left(world):
    change = disable(world, [s for s in world.own if s.enabled][:2])
    assert run_bulk_change(change.pk, budget=-1) is True
    assert change.items.filter(status="pending").count() == 2
