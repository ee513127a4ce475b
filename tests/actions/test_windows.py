"""Maintenance windows: at T1 disable exactly the enabled ones, at T2 re-enable
exactly those still as the window left them; beat drives it, each step
idempotent."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from actions.models import Window, WindowItem
from actions.windows import (
    WindowRefused,
    advance_windows,
    cancel_window,
    create_window,
    end_early,
)
from activity.models import Entry
from schedules.models import Schedule
from tests.actions.worlds import acting_world, in_aac
from workspaces.connection import call_aac

State = WindowItem.State


@pytest.fixture
def world(db, make_sim_workspace):
    return acting_world(make_sim_workspace)


def window_over(world, schedules, *, starts_in=0, lasts=60) -> Window:
    now = timezone.now()
    return create_window(
        actor=world.bob,
        schedules=Schedule.objects.filter(pk__in=[s.pk for s in schedules]),
        reason="Warehouse upgrade",
        chosen="ticked rows",
        starts_at=now + timedelta(minutes=starts_in),
        ends_at=now + timedelta(minutes=starts_in + lasts),
    )


def states(window) -> dict[int, str]:
    return dict(window.items.values_list("schedule_aac_id", "state"))


def as_owner(world, aac_id, *actions):
    """The owner changes the schedule in AAC themselves, with their own token."""
    for action in actions:
        time.sleep(0.01)  # AAC's updatedAt counts milliseconds
        call_aac(world.connection, lambda c, a=action: getattr(c, a)(aac_id))


def test_it_pauses_what_was_enabled_and_restores_only_what_nobody_touched(
    world, aac_sim
):
    restored, changed, deleted, already = world.own[:4]
    for schedule in (restored, changed, deleted):
        as_owner(world, schedule.aac_id, "enable_schedule")
    # Disabled in AAC since the last sync: the window asks AAC, not the cache.
    as_owner(world, already.aac_id, "disable_schedule")
    window = window_over(world, [restored, changed, deleted, already])

    assert advance_windows() == 1
    window.refresh_from_db()
    assert window.status == Window.Status.ACTIVE
    assert states(window) == {
        restored.aac_id: State.DISABLED,
        changed.aac_id: State.DISABLED,
        deleted.aac_id: State.DISABLED,
        already.aac_id: State.ALREADY_DISABLED,
    }
    assert in_aac(aac_sim, world.remote, restored.aac_id)["enabled"] is False

    # In between, the owner enables one and disables it again; another goes.
    as_owner(world, changed.aac_id, "enable_schedule", "disable_schedule")
    aac_sim.sim.remove_schedules(world.remote.id, [deleted.aac_id])
    end_early(actor=world.bob, window=window)
    assert advance_windows() == 1

    window.refresh_from_db()
    assert window.status == Window.Status.ENDED
    assert states(window) == {
        restored.aac_id: State.RE_ENABLED,
        changed.aac_id: State.LEFT,
        deleted.aac_id: State.LEFT,
        already.aac_id: State.ALREADY_DISABLED,
    }
    assert in_aac(aac_sim, world.remote, restored.aac_id)["enabled"] is True
    assert in_aac(aac_sim, world.remote, changed.aac_id)["enabled"] is False
    assert in_aac(aac_sim, world.remote, already.aac_id)["enabled"] is False
    assert (
        "left as its owner set it"
        in window.items.get(schedule_aac_id=changed.aac_id).message
    )


def test_it_records_created_started_and_ended_in_the_activity_log(world):
    window = window_over(world, [s for s in world.own if s.enabled][:1])
    advance_windows()
    end_early(actor=world.bob, window=window)
    advance_windows()
    actions = list(
        Entry.objects.filter(target_kind="window")
        .order_by("id")
        .values_list("action", "username", "workspace_name")
    )
    assert actions == [
        ("window_created", "bob", "Acting"),
        ("window_started", "bob", "Acting"),
        ("window_ended", "bob", "Acting"),
        ("window_ended", "bob", "Acting"),
    ]
    assert Entry.objects.filter(action="disable", target_kind="schedule").count() == 1
    assert Entry.objects.filter(action="enable", target_kind="schedule").count() == 1


def test_it_waits_for_its_start_and_a_second_round_changes_nothing(world, sim_stats):
    window = window_over(world, world.own[:2], starts_in=30)
    assert advance_windows() == 0
    assert states(window) == {s.aac_id: State.PENDING for s in world.own[:2]}
    advance_windows(now=timezone.now() + timedelta(minutes=31))
    calls = sim_stats.total()
    assert advance_windows(now=timezone.now() + timedelta(minutes=32)) == 0
    assert sim_stats.total() == calls


def test_a_worker_that_died_mid_call_is_taken_over_without_losing_the_schedule(
    world, aac_sim
):
    mine = next(s for s in world.own if s.enabled)
    window = window_over(world, [mine])
    # The last worker marked the call, disabled it in AAC, and died.
    window.items.update(state=State.DISABLING)
    call_aac(world.connection, lambda c: c.disable_schedule(mine.aac_id))
    Window.objects.filter(pk=window.pk).update(
        status=Window.Status.STARTING, claimed_at=timezone.now() - timedelta(hours=1)
    )

    assert advance_windows() == 1

    item = window.items.get()
    assert item.state == State.DISABLED  # its own doing: re-enabled at the end
    end_early(actor=world.bob, window=window)
    advance_windows()
    assert in_aac(aac_sim, world.remote, mine.aac_id)["enabled"] is True


def test_a_cancelled_window_touches_nothing(world, sim_stats):
    window = window_over(world, world.own[:2], starts_in=5)
    cancel_window(actor=world.bob, window=window)
    calls = sim_stats.total()
    advance_windows(now=timezone.now() + timedelta(minutes=10))
    window.refresh_from_db()
    assert window.status == Window.Status.CANCELLED
    assert sim_stats.total() == calls
    with pytest.raises(WindowRefused):
        cancel_window(actor=world.bob, window=window)


def test_a_schedule_whose_owner_has_no_connection_is_said_so(world, aac_sim):
    theirs = next(s for s in world.others if s.enabled)
    window = window_over(world, [theirs])
    advance_windows()
    item = window.items.get()
    assert item.state == State.NOT_DISABLED
    assert item.message.startswith(f"Only {theirs.owner_name} may change it")
    assert in_aac(aac_sim, world.remote, theirs.aac_id)["enabled"] is True


def test_a_maker_who_lost_the_workspace_pauses_nothing_there(world, aac_sim):
    mine = world.own[0]
    window = window_over(world, [mine])
    world.bob.memberships.update(role="viewer")
    advance_windows()
    item = window.items.get()
    assert item.state == State.NOT_DISABLED
    assert in_aac(aac_sim, world.remote, mine.aac_id)["enabled"] is True
