"""What admins, the demo command and tests do to a workspace, as plain functions."""

import logging

from django.core.exceptions import ValidationError

from aac import AACClient
from aac.errors import AACError
from workspaces.connection import call_aac
from workspaces.forms import WorkspaceForm
from workspaces.models import Workspace
from workspaces.tokens.problems import TokenProblem

logger = logging.getLogger(__name__)


def register_workspace(
    *,
    name: str,
    region: str,
    access_token: str,
    refresh_token: str,
    client_id: str = "",
    api_project_id: str = "",
    refresh_token_lifetime_days: int | None = None,
) -> Workspace:
    """Add a workspace with its pasted pair, through the admin's own add form.

    Raises ValidationError with the form's messages (which never quote a token).
    """
    form = WorkspaceForm(
        data={
            "name": name,
            "region": region,
            "is_active": True,
            "client_id": client_id,
            "api_project_id": api_project_id,
            "refresh_token_lifetime_days": refresh_token_lifetime_days or "",
            "new_access_token": access_token,
            "new_refresh_token": refresh_token,
        }
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    return form.save()


def test_connection(workspace: Workspace) -> dict:
    """Ask AAC which workspace the token belongs to; record it, or the exact failure.

    Returns {"ok": bool, "message": str}. A token that belongs to another AAC
    workspace than the one recorded is an error: syncing it would replace this
    workspace's schedules with another's.
    """
    try:
        current = call_aac(workspace, AACClient.current_workspace)
    except TokenProblem as exc:
        return {"ok": False, "message": exc.message}
    except AACError as exc:
        reason = f"Connection test failed: {exc}"
        workspace.set_state(Workspace.State.ERROR, reason)
        return {"ok": False, "message": reason}
    gid = current["gid"]
    if workspace.aac_gid and workspace.aac_gid != gid:
        reason = (
            f"The token belongs to AAC workspace {current['name']!r} ({gid}), not "
            f"to {workspace.aac_name!r} ({workspace.aac_gid}). Paste this "
            "workspace's own pair."
        )
        workspace.set_state(Workspace.State.ERROR, reason)
        return {"ok": False, "message": reason}
    workspace.aac_workspace_id = str(current["id"])
    workspace.aac_gid = gid
    workspace.aac_name = current["name"]
    workspace.save(update_fields=Workspace.IDENTITY_FIELDS)
    logger.info("Workspace %s is AAC workspace %s", workspace.pk, gid)
    message = f"Connected to AAC workspace {current['name']!r} (id {current['id']})."
    return {"ok": True, "message": message}
