"""`python -m demo.setup CREDENTIALS`: prepare the demo database.

Creates the demo users and registers each simulator workspace with the
credentials the simulator printed, through the same code path an admin's form
uses: the first pair of a workspace registers it, each further pair (another
person of a workspace that lists per owner) becomes another connection. Then
it tests every connection and queues a first sync; each sync evaluates the
attention rules, so the simulator's data opens findings of several rules
(owner disabled, never fires again, very frequent, failing schedules, parts not
understood, incomplete coverage). The admin gets the daily digest, printed by
the console e-mail backend at the worker's first quarter-hour tick. Safe to
rerun: the simulator starts afresh each time, so each person's connection gets
their new pair.

A script, never imported by the portal: it sets Django up first, as standalone
Django code must, and imports the portal's modules after that.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from accounts.models import Profile  # noqa: E402
from demo import DEMO_PASSWORD  # noqa: E402
from demo.actions import show_actions  # noqa: E402
from schedules.queueing import QueueError, queue_sync  # noqa: E402
from workspaces.enrolment import add_connection  # noqa: E402
from workspaces.models import Connection, Membership, Workspace  # noqa: E402
from workspaces.services import register_workspace, test_connection  # noqa: E402
from workspaces.tokens.pasted import store_pasted_tokens  # noqa: E402


def main(credentials_path: str) -> None:
    User = get_user_model()
    admin = User.objects.filter(username="admin").first() or (
        User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD)
    )
    Profile.objects.get_or_create(
        user=admin, defaults={"digest": True, "digest_hour": 0}
    )
    viewer = User.objects.filter(username="viewer").first() or (
        User.objects.create_user("viewer", "viewer@example.com", DEMO_PASSWORD)
    )

    with open(credentials_path) as f:
        credentials = json.load(f)["credentials"]
    workspaces = {}
    for entry in credentials:
        workspace = connect(entry)
        workspaces[workspace.pk] = workspace
        Membership.objects.get_or_create(
            user=viewer, workspace=workspace, defaults={"role": "viewer"}
        )
    for workspace in workspaces.values():
        for connection in workspace.connections.all():
            _, message = test_connection(connection)
            print(f"demo: {connection}: {message}", flush=True)
    # The first workspace, synced here and now, shows what acting looks like.
    show_actions(next(iter(workspaces.values())), admin)
    for workspace in workspaces.values():
        try:
            queue_sync(workspace=workspace, trigger="demo")
        except QueueError as exc:
            print(f"demo: {workspace.name}: first sync not queued: {exc}", flush=True)


def connect(entry: dict) -> Workspace:
    """The entry's workspace, with the entry's person connected by its pair."""
    remote, person = entry["workspace"], entry["person"]
    pair = {
        "access_token": entry["access_token"],
        "refresh_token": entry["refresh_token"],
    }
    workspace = Workspace.objects.filter(name=remote["name"]).first()
    if workspace is None:
        return register_workspace(
            name=remote["name"],
            region="sim",
            client_id=remote["client_id"],
            api_project_id=remote["project_id"],
            refresh_token_lifetime_days=90,
            **pair,
        )
    mine = workspace.connections.filter(aac_person_id=str(person["id"])).first()
    if mine is None:
        add_connection(
            Connection(workspace=workspace, refresh_token_lifetime_days=90), **pair
        )
    else:
        store_pasted_tokens(mine, **pair)
    return workspace


if __name__ == "__main__":
    main(sys.argv[1])
