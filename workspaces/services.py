"""What admins, the demo, tasks and tests do to workspaces, as plain functions."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from aac import AACClient
from aac.errors import AACError
from workspaces.connection import call_aac
from workspaces.forms import NewWorkspaceForm
from workspaces.models import Connection, Workspace
from workspaces.tokens.problems import TokenProblem

logger = logging.getLogger(__name__)


@sensitive_variables()
def register_workspace(
    *,
    name: str,
    region: str,
    access_token: str,
    refresh_token: str,
    client_id: str = "",
    api_project_id: str = "",
    refresh_token_lifetime_days: int | None = None,
    added_by=None,
) -> Workspace:
    """Add a workspace and its first connection, through the admin's own add form.

    Raises ValidationError with the form's messages (which never quote a token).
    """
    form = NewWorkspaceForm(
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
    form.added_by = added_by
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    return form.save()


@sensitive_variables()
def test_connection(connection: Connection) -> tuple[bool, str]:
    """Ask AAC which workspace the connection's token belongs to; record it, or
    the exact failure.

    Returns (ok, message). A token of another AAC workspace than the one
    recorded is an error, and so is an AAC workspace the portal already has
    under another name: syncing either would mix two workspaces' schedules.
    """
    try:
        current = call_aac(connection, AACClient.current_workspace)
    except TokenProblem as exc:
        return False, exc.message
    except AACError as exc:
        return _failed(connection, f"Connection test failed: {exc}")
    workspace = Workspace.objects.get(pk=connection.workspace_id)
    gid = current["gid"]
    if workspace.aac_gid and workspace.aac_gid != gid:
        return _failed(
            connection,
            f"The token belongs to AAC workspace {current['name']!r} ({gid}), not "
            f"to {workspace.aac_name or workspace.name!r} ({workspace.aac_gid}). "
            "Paste this workspace's own pair.",
        )
    workspace.aac_workspace_id = str(current["id"])
    workspace.aac_gid = gid
    workspace.aac_name = current["name"]
    try:
        with transaction.atomic():
            workspace.save(update_fields=Workspace.IDENTITY_FIELDS)
    except IntegrityError:
        other = Workspace.objects.filter(aac_gid=gid).first()
        return _failed(
            connection,
            f"The token belongs to AAC workspace {current['name']!r} ({gid}), which "
            f"the portal already has as “{other}”. Add the pair there instead.",
        )
    logger.info("Workspace %s is AAC workspace %s", workspace.pk, gid)
    who = f" as {connection.person}" if connection.aac_person_id else ""
    return (
        True,
        f"Connected to AAC workspace {current['name']!r} (id {current['id']}){who}.",
    )


def _failed(connection: Connection, reason: str) -> tuple[bool, str]:
    connection.set_state(Connection.State.ERROR, reason)
    return False, reason
