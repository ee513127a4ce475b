"""A workspace's token row, read again whenever a decision depends on it."""

from datetime import timedelta

from django.utils import timezone

from workspaces.crypto import DecryptionError, EncryptionKeyError
from workspaces.models import Workspace
from workspaces.tokens.problems import TokenProblem

State = Workspace.State


def load(workspace: Workspace) -> Workspace:
    """Re-read the tokens and state; copy the state onto the caller's instance.

    Raises TokenProblem for a workspace that needs re-authorisation and for
    tokens that do not decrypt (a configuration fault, never re-authorisation).
    """
    try:
        # defer(None): the manager defers the secrets, and only() would not
        # undo that.
        row = (
            Workspace.objects.defer(None)
            .only(
                "region",
                "client_id",
                "access_token",
                "refresh_token",
                "access_token_expires_at",
                *Workspace.STATE_FIELDS,
            )
            .get(pk=workspace.pk)
        )
    except (DecryptionError, EncryptionKeyError) as exc:
        reason = f"Configuration fault: {exc}. Tokens left untouched."
        Workspace.objects.filter(pk=workspace.pk).exclude(state_reason=reason).update(
            state=State.ERROR, state_reason=reason, state_changed_at=timezone.now()
        )
        workspace.state, workspace.state_reason = State.ERROR, reason
        raise TokenProblem(reason, kind=TokenProblem.CONFIGURATION) from None
    copy_state(workspace, row)
    if row.state == State.NEEDS_REAUTH:
        raise TokenProblem(row.state_reason, kind=TokenProblem.NEEDS_REAUTH)
    return row


def copy_state(workspace: Workspace, row: Workspace) -> None:
    for name in Workspace.STATE_FIELDS:
        setattr(workspace, name, getattr(row, name))


def valid_for(row: Workspace, seconds: float) -> bool:
    """Unknown expiry counts as expired: an opaque token is refreshed on first use."""
    expires_at = row.access_token_expires_at
    return bool(
        row.access_token
        and expires_at is not None
        and expires_at - timezone.now() > timedelta(seconds=seconds)
    )


def replaced(row: Workspace, stale_token: str) -> bool:
    """Someone else has already put a different, unexpired token in the row."""
    return row.access_token != stale_token and valid_for(row, 0)
