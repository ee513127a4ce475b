"""Every kind of activity has a press that records it, with its user and outcome.

`DRIVERS` holds, for each action of the log, the smallest real press of it
(no AAC call: a schedule the cache no longer has fails before one, an opaque
token pair is stored untested);
a new kind of action without a driver fails `test_every_action_has_a_driver`.
The presses that do reach AAC are pinned in tests/actions/ and
tests/activity/test_recorded.py.
"""

from datetime import timedelta

import pytest
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from actions.bulk import create_bulk_change, run_bulk_change
from actions.models import Change
from actions.runs import Target, new_execution_id, request_run
from actions.windows import advance_windows, cancel_window, create_window, end_early
from activity.models import Action, Entry
from schedules.models import Schedule
from tests.factories import make_schedule
from tests.pages.requests import press
from tests.workspaces.test_admin import workspace_data
from workspaces.models import Workspace


def _gone(world):
    """A schedule bob operates that the cache then loses (deleted in AAC)."""
    schedule = make_schedule(world.acme)
    selection = Schedule.objects.filter(pk=schedule.pk)
    return schedule, selection


def _bulk(action):
    def drive(world, client):
        schedule, selection = _gone(world)
        change = create_bulk_change(
            actor=world.bob, action=action, schedules=selection, reason="r", chosen="c"
        )
        schedule.delete()
        run_bulk_change(change.pk)

    return drive


def _window(world, *, starts_in=0):
    _schedule, selection = _gone(world)
    now = timezone.now()
    return create_window(
        actor=world.bob,
        schedules=selection,
        reason="Upgrade",
        chosen="c",
        starts_at=now + timedelta(minutes=starts_in),
        ends_at=now + timedelta(hours=1),
    )


def _started(world, client):
    _window(world)
    Schedule.objects.all().delete()
    advance_windows()


def _ended(world, client):
    window = _window(world)
    Schedule.objects.all().delete()
    advance_windows()
    end_early(actor=world.bob, window=window)
    advance_windows()


def _run(world, client):
    target = Target(
        workspace=world.acme,
        kind="plan",
        aac_id="1",
        name="Plan",
        owner_id="",
        seen_by=1,
    )
    request_run(actor=world.bob, target=target, execution_id=new_execution_id())


def _admin_workspace(world, client):
    client.force_login(world.alice)
    client.post(
        reverse("admin:workspaces_workspace_delete", args=[world.globex.pk]),
        {"post": "yes"},
    )


def _connect(world, client):
    """An opaque pair: accepted, its expiry unknown (docs/reliability.md)."""
    client.post(
        reverse("pages:connect", args=[world.acme.pk]),
        {
            "new_access_token": "opaque-token",
            "new_refresh_token": "rt-opaque",
            "client_id": "client-1",
            "refresh_token_lifetime_days": "90",
        },
    )


def _create_workspace(world, client):
    client.force_login(world.alice)
    client.post(
        reverse("admin:workspaces_workspace_add"),
        workspace_data(
            Workspace(name="Opaque", region="eu1"),
            new_access_token="opaque-token",
            new_refresh_token="rt-opaque",
            client_id="client-1",
            refresh_token_lifetime_days="90",
        ),
    )


DRIVERS = {
    Action.RESYNC: lambda world, client: press(client, "workspace_sync", world.acme.pk),
    Action.TEST_CONNECTION: lambda world, client: press(
        client, "connection_test", world.acme.connections.get().pk
    ),
    Action.REFRESH_TOKENS: lambda world, client: press(
        client, "connection_refresh", world.acme.connections.get().pk
    ),
    Action.CONNECTION_ADDED: _connect,
    Action.WORKSPACE_CREATED: _create_workspace,
    Action.CONNECTION_REMOVED: lambda world, client: (
        client.force_login(world.alice),
        press(client, "connection_remove", world.acme.connections.get().pk),
    ),
    Action.RUN_NOW: _run,
    Action.ENABLE: _bulk(Change.ENABLE),
    Action.DISABLE: _bulk(Change.DISABLE),
    Action.WINDOW_CREATED: lambda world, client: _window(world, starts_in=5),
    Action.WINDOW_STARTED: _started,
    Action.WINDOW_ENDED: _ended,
    Action.WINDOW_CANCELLED: lambda world, client: cancel_window(
        actor=world.bob, window=_window(world, starts_in=5)
    ),
    Action.WORKSPACE_DELETED: _admin_workspace,
    Action.MEMBERSHIP_CHANGED: lambda world, client: (
        client.force_login(world.alice),
        client.post(
            reverse("admin:workspaces_membership_add"),
            {"user": world.charlie.pk, "workspace": world.acme.pk, "role": "viewer"},
        ),
    ),
    Action.LOGIN: lambda world, client: user_logged_in.send(
        sender=None, request=RequestFactory().get("/"), user=world.bob
    ),
    Action.LOGIN_FAILED: lambda world, client: user_login_failed.send(
        sender=None, credentials={"username": "bob"}, request=RequestFactory().get("/")
    ),
    Action.LOCKED_OUT: lambda world, client: user_locked_out.send(
        "axes", request=None, username="bob", ip_address="10.0.0.9"
    ),
}
# Pressed by an admin or alice rather than bob.
BY_ALICE = {
    Action.WORKSPACE_CREATED,
    Action.CONNECTION_REMOVED,
    Action.WORKSPACE_DELETED,
    Action.MEMBERSHIP_CHANGED,
}
# Pressed by nobody signed in: the row names whom it concerns.
ANONYMOUS = {Action.LOGIN_FAILED, Action.LOCKED_OUT}


def test_every_action_has_a_driver():
    assert set(Action) == set(DRIVERS)


@pytest.mark.parametrize("action", sorted(DRIVERS), ids=str)
def test_every_action_writes_its_row_with_user_and_outcome(client, world, action):
    client.force_login(world.bob)
    Entry.objects.all().delete()

    DRIVERS[action](world, client)

    entry = Entry.objects.filter(action=action).latest("id")
    name = "alice" if action in BY_ALICE else "bob"
    assert entry.username == name
    assert (entry.user_id is None) == (action in ANONYMOUS)
    assert entry.outcome in {"queued", "succeeded", "failed", "refused"}
