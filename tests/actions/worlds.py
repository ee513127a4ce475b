"""A simulated workspace synced into the portal, for the actions' tests."""

from types import SimpleNamespace

from schedules.models import Schedule, SyncRun
from schedules.sync.engine import sync_workspace
from tests.factories import add_member, make_user
from tests.schedules.conftest import SHORT_HISTORY
from workspaces.connection import call_aac
from workspaces.models import Membership


def synced(workspace) -> SyncRun:
    return sync_workspace(
        SyncRun.objects.create(workspace=workspace, trigger=SyncRun.Trigger.BUTTON)
    )


def acting_world(make_sim_workspace, name="Acting", schedules=100):
    """A simulated workspace, synced; bob operates it, carol views it.

    `own` are the cached schedules of the connection's person (the first
    schedule is always theirs), every one enabled; `others` everyone else's.
    Half a day of run history: the actions start new runs and follow them,
    and read none of the past ones.
    """
    remote, workspace = make_sim_workspace(
        name, schedules=schedules, history_days=SHORT_HISTORY
    )
    synced(workspace)
    connection = workspace.connections.get()
    enable_own(workspace, connection)
    bob, carol = make_user("bob"), make_user("carol")
    add_member(bob, workspace, Membership.Role.OPERATOR)
    add_member(carol, workspace, Membership.Role.VIEWER)
    rows = Schedule.objects.filter(workspace=workspace).order_by("aac_id")
    person = connection.aac_person_id
    return SimpleNamespace(
        remote=remote,
        workspace=workspace,
        connection=connection,
        bob=bob,
        carol=carol,
        own=list(rows.filter(owner_id=person, enabled=True)),
        others=list(rows.exclude(owner_id=person).exclude(owner_id="")),
    )


def enable_own(workspace, connection) -> None:
    """The connection's person enables their disabled schedules in AAC; the
    cache follows with a sync."""
    disabled = Schedule.objects.filter(
        workspace=workspace, owner_id=connection.aac_person_id, enabled=False
    )
    for aac_id in disabled.values_list("aac_id", flat=True):
        call_aac(connection, lambda c, i=aac_id: c.enable_schedule(i))
    synced(workspace)


def in_aac(aac_sim, remote, aac_id: int) -> dict | None:
    found = [s for s in aac_sim.sim.schedules(remote.id) if s["id"] == aac_id]
    return found[0] if found else None
