"""`record`: the one way into the activity log.

Any app may call it (the log sits below every other app): it takes the user
and the workspace as objects or as nothing, and keeps their ids and names as
they are now (docs/architecture.md, "The activity log").
"""

from django.db.models import Model

from activity.models import Action, Entry, Outcome


def record(
    action: Action | str,
    *,
    outcome: Outcome | str,
    user=None,
    username: str = "",
    workspace: Model | None = None,
    target_kind: str = "",
    target_id: str | int = "",
    target_name: str = "",
    message: str = "",
    request_id: str | None = "",
    execution_id: str | None = "",
) -> Entry:
    """One row of the log. `user` may be None or anonymous (beat, a failed
    login: then `username` says whom it concerns)."""
    signed_in = user is not None and user.is_authenticated
    return Entry.objects.create(
        action=action,
        outcome=outcome,
        user_id=user.pk if signed_in else None,
        username=user.get_username() if signed_in else username[:150],
        workspace_id=workspace.pk if workspace is not None else None,
        workspace_name=str(workspace)[:200] if workspace is not None else "",
        target_kind=target_kind,
        target_id=str(target_id)[:64],
        target_name=target_name[:500],
        message=message,
        aac_request_id=(request_id or "")[:255],
        aac_execution_id=(execution_id or "")[:255],
    )
