"""Builders for the small named world the tests use.

alice owns (superuser), bob is an operator of his workspaces, carol a viewer,
charlie has no access: `make_user` builds any of them.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

from schedules.models import Schedule
from workspaces.models import Membership, Workspace


def make_user(username="alice", *, superuser=False, password="pw-for-tests-1"):
    create = (
        get_user_model().objects.create_superuser
        if superuser
        else get_user_model().objects.create_user
    )
    return create(username, f"{username}@example.com", password)


def make_workspace(name="Acme EU", *, region="eu1", **fields):
    """A workspace with no tokens: tests that need tokens use `make_sim_workspace`."""
    fields.setdefault("state", Workspace.State.OK)
    return Workspace.objects.create(name=name, region=region, **fields)


def add_member(user, workspace, role=Membership.Role.VIEWER):
    return Membership.objects.create(user=user, workspace=workspace, role=role)


def make_schedule(workspace, *, aac_id=None, **fields):
    if aac_id is None:
        aac_id = (
            Schedule.objects.filter(workspace=workspace).order_by("-aac_id").first()
        )
        aac_id = aac_id.aac_id + 1 if aac_id else 1
    fields.setdefault("name", f"Schedule {aac_id}")
    fields.setdefault("raw", {"id": aac_id})
    fields.setdefault("synced_at", timezone.now())
    return Schedule.objects.create(workspace=workspace, aac_id=aac_id, **fields)
