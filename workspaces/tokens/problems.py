"""What the token code answers when there is no usable access token."""

import logging

from workspaces.models import Connection

logger = logging.getLogger(__name__)

# The one way out of "needs re-authorisation", said on every page, message and
# admin form that mentions it.
REAUTH_HELP = (
    "Generate a new token pair in AAC (User Preferences → OAuth 2.0 API Tokens) "
    "and paste both tokens into this connection (its admin page, or “Connect my "
    "AAC account” on the workspace's connections page)."
)


class TokenProblem(Exception):
    """No usable access token; `message` is fit for the admin, never holds a token.

    `kind` says what to do: NEEDS_REAUTH (paste a new pair), CONFIGURATION
    (fix settings or the connection's fields), RATE_LIMITED (wait
    `retry_after` seconds), UNAVAILABLE (the token server is down), BUSY
    (another refresh is still running), FAILED (AAC's answer was unusable) or
    GONE (the connection was removed meanwhile).
    """

    NEEDS_REAUTH = "needs_reauth"
    CONFIGURATION = "configuration"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    BUSY = "busy"
    FAILED = "failed"
    GONE = "gone"

    def __init__(self, message: str, *, kind: str, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retry_after = retry_after

    def __repr__(self):
        return f"TokenProblem({self.message!r}, kind={self.kind!r})"


def fail(
    connection: Connection, state: str, reason: str, *, kind: str | None = None
) -> TokenProblem:
    """Record the outcome on the connection; return the error to raise."""
    connection.set_state(state, reason)
    logger.warning("Connection %s: %s", connection.pk, reason)
    if kind is None:
        kind = (
            TokenProblem.NEEDS_REAUTH
            if state == Connection.State.NEEDS_REAUTH
            else TokenProblem.CONFIGURATION
        )
    return TokenProblem(reason, kind=kind)
