"""`python -m demo.setup CREDENTIALS`: prepare the demo database.

Creates the demo users and registers each simulator workspace with the
credentials the simulator printed, through the same code path an admin's form
uses, then checks the connection and queues a first sync. Safe to rerun: the
simulator starts afresh each time, so existing workspaces get the new pair.

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

from schedules.queueing import QueueError, queue_sync  # noqa: E402
from workspaces.models import Membership, Workspace  # noqa: E402
from workspaces.services import register_workspace, test_connection  # noqa: E402
from workspaces.tokens.pasted import store_pasted_tokens  # noqa: E402

DEMO_PASSWORD = "aacportal-demo"  # noqa: S105 (a published demo login)


def main(credentials_path: str) -> None:
    User = get_user_model()
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD)
    viewer = User.objects.filter(username="viewer").first() or (
        User.objects.create_user("viewer", "viewer@example.com", DEMO_PASSWORD)
    )

    with open(credentials_path) as f:
        credentials = json.load(f)["credentials"]
    for entry in credentials:
        remote = entry["workspace"]
        workspace = Workspace.objects.filter(name=remote["name"]).first()
        if workspace is None:
            workspace = register_workspace(
                name=remote["name"],
                region="sim",
                access_token=entry["access_token"],
                refresh_token=entry["refresh_token"],
                client_id=remote["client_id"],
                api_project_id=remote["project_id"],
                refresh_token_lifetime_days=90,
            )
        else:
            store_pasted_tokens(
                workspace,
                access_token=entry["access_token"],
                refresh_token=entry["refresh_token"],
            )
        Membership.objects.get_or_create(
            user=viewer, workspace=workspace, defaults={"role": "viewer"}
        )
        outcome = test_connection(workspace)
        print(f"demo: {workspace.name}: {outcome}", flush=True)
        try:
            queue_sync(workspace=workspace, trigger="demo")
        except QueueError as exc:
            print(f"demo: {workspace.name}: first sync not queued: {exc}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
