"""The one way to call AAC through a connection's token.

`call_aac` owns the "401 with a token we believed valid" dance: force one
refresh, retry once, and on a second 401 mark the connection as needing
re-authorisation. Clients come from `workspaces.clients` (settings only,
docs/reliability.md rule 6). Which connection may act on what is
`workspaces.acting`'s to say.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.views.decorators.debug import sensitive_variables

from aac import AACClient
from aac.errors import AuthError
from workspaces.clients import client_for
from workspaces.models import Connection
from workspaces.tokens.lease import force_refresh, fresh_access_token
from workspaces.tokens.problems import REAUTH_HELP, TokenProblem

logger = logging.getLogger(__name__)

T = TypeVar("T")


@sensitive_variables()
def call_aac(connection: Connection, fn: Callable[[AACClient], T]) -> T:
    """Run `fn(client)` with a fresh token of the connection; on success it is "ok".

    Only a 401 means the token: a 403 (for example changing a schedule one
    does not own) is re-raised as it is, like every other typed AAC error.
    Raises TokenProblem without calling AAC when the connection needs
    re-authorisation (or its region or issuer is wrong).
    """
    workspace = connection.workspace
    token = fresh_access_token(connection)
    try:
        result = fn(client_for(workspace, token))
    except AuthError as exc:
        if exc.status != 401:
            raise
        logger.info(
            "Connection %s: AAC refused the access token; refreshing", connection.pk
        )
        token = force_refresh(connection, rejected_token=token)
        try:
            result = fn(client_for(workspace, token))
        except AuthError as again:
            if again.status != 401:
                raise
            reason = (
                f"AAC refused a freshly refreshed access token ({again}). {REAUTH_HELP}"
            )
            connection.set_state(Connection.State.NEEDS_REAUTH, reason)
            logger.warning("Connection %s: %s", connection.pk, reason)
            raise TokenProblem(reason, kind=TokenProblem.NEEDS_REAUTH) from None
    connection.set_state(Connection.State.OK)
    return result
