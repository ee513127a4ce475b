"""The one way to call AAC with a workspace's token.

`call_aac` owns the "401 with a token we believed valid" dance: force one
refresh, retry once, and on a second 401 mark the workspace as needing
re-authorisation. Clients come from `workspaces.clients` (settings only,
docs/reliability.md rule 6).
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from aac import AACClient
from aac.errors import AuthError
from workspaces.clients import client_for
from workspaces.models import Workspace
from workspaces.tokens.lease import force_refresh, fresh_access_token
from workspaces.tokens.problems import REAUTH_HELP, TokenProblem

logger = logging.getLogger(__name__)

T = TypeVar("T")


def call_aac(workspace: Workspace, fn: Callable[[AACClient], T]) -> T:
    """Run `fn(client)` with a fresh token; on success the workspace is "ok".

    Only a 401 means the token: a 403 (for example changing a schedule one
    does not own) is re-raised as it is, like every other typed AAC error.
    Raises TokenProblem without calling AAC when the workspace needs
    re-authorisation.
    """
    token = fresh_access_token(workspace)
    try:
        result = fn(client_for(workspace, token))
    except AuthError as exc:
        if exc.status != 401:
            raise
        logger.info(
            "Workspace %s: AAC refused the access token; refreshing", workspace.pk
        )
        token = force_refresh(workspace, rejected_token=token)
        try:
            result = fn(client_for(workspace, token))
        except AuthError as again:
            if again.status != 401:
                raise
            reason = (
                f"AAC refused a freshly refreshed access token ({again}). {REAUTH_HELP}"
            )
            workspace.set_state(Workspace.State.NEEDS_REAUTH, reason)
            logger.warning("Workspace %s: %s", workspace.pk, reason)
            raise TokenProblem(reason, kind=TokenProblem.NEEDS_REAUTH) from None
    workspace.set_state(Workspace.State.OK)
    return result
