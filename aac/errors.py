"""The typed errors of the AAC client: one class per remote state a caller treats
differently (re-authorise, ask the owner, wait, retry, give up with a reason).

Every message is built by the client from the method, path, status and AAC's
own error text, with known secrets scrubbed out, so `str()`, `repr()` and
`args` never carry a token. `code` is AAC's own name for the error (the v4
exception name, the workflow service's `kind`, the OAuth `error`), when it
gave one.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

# Epoch values below this are not instants of this century: a reset header that
# small counts seconds from now, which the header alone cannot place in time.
_EPOCH_SECONDS_FLOOR = 10**9
_EPOCH_MILLISECONDS_FLOOR = 10**11


class AACError(Exception):
    """Base class: something went wrong talking to AAC."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.code = code

    def __str__(self) -> str:
        if self.request_id:
            return f"{self.message} (request id {self.request_id})"
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"request_id={self.request_id!r})"
        )


class AuthError(AACError):
    """401/403 from the API: the bearer token is expired, unknown or not allowed."""


class AccessDenied(AuthError):
    """403: AAC knows the token but refuses this action to its user.

    AAC answers so (`AccessControlException`) when, for example, someone other
    than a schedule's owner enables or disables it. Refreshing the token cannot
    help; the owner's token can. An AuthError with status 403, so callers that
    only re-authorise on 401 keep treating it as "not allowed".
    """


class InvalidProjectId(AACError):
    """The API gateway refused the `x-api-project-id` header (Apigee "Invalid ApiKey").

    Not an AuthError on purpose: the token is fine, so refreshing it cannot help;
    the admin has to fix the API project id.
    """


class InvalidGrant(AACError):
    """The token server refused the refresh token (used, revoked or unknown).

    Only a new token pair generated in the AAC UI fixes this.
    """

    def __init__(self, message: str, *, description: str = "", **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.description = description


@dataclass(frozen=True)
class Quota:
    """One `x-rate-limit-{scope}-*` triple, each value None when AAC did not say."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None

    @property
    def reset_at(self) -> datetime | None:
        """When the window resets, if `reset` is an epoch (seconds or ms) at all.

        The published spec calls the user reset epoch seconds and the workspace
        reset epoch milliseconds, and shows milliseconds for both
        (docs/aac-api.md, Conventions of the v4 API); the size tells them apart.
        """
        if self.reset is None or self.reset < _EPOCH_SECONDS_FLOOR:
            return None
        seconds = self.reset
        if seconds >= _EPOCH_MILLISECONDS_FLOOR:
            seconds /= 1000
        return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass(frozen=True)
class RateLimits:
    """The quota headers of a 429: per user and per workspace, per minute."""

    user: Quota = field(default_factory=Quota)
    workspace: Quota = field(default_factory=Quota)

    @property
    def exhausted(self) -> tuple[str, Quota] | None:
        """The quota that refused the call: ("user" | "workspace", quota).

        The one with nothing remaining, the user's first; None when the headers
        do not say, so the caller falls back to `retry_after` alone.
        """
        for scope, quota in (("user", self.user), ("workspace", self.workspace)):
            if quota.remaining == 0:
                return scope, quota
        return None


class RateLimited(AACError):
    """429: over quota; try again no sooner than `retry_after` seconds (if known).

    `limits` carries AAC's quota headers, so a caller can say "AAC allows N runs
    per minute" without guessing N.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        limits: RateLimits | None = None,
        **kwargs,
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.limits = limits or RateLimits()


class Unavailable(AACError):
    """5xx, timeout or lost connection: a transient failure.

    `maybe_sent` is False only when the request certainly never reached the
    server (connection refused, connect timeout), so it is safe to repeat even a
    single-use refresh; True means the request may have acted.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        maybe_sent: bool = True,
        **kwargs,
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class ProtocolError(AACError):
    """AAC answered something the client does not understand or did not expect."""


class Rejected(ProtocolError):
    """400, 409 or 422: AAC understood the call and refused it; `code` and the
    message say why (a validation failure, a workflow that cannot run).

    A ProtocolError because, for the calls the portal makes, a refusal means the
    client and AAC disagree about the request; retrying the same call cannot help.
    """


class NotFound(AACError):
    """404 or 410: the object or the route does not exist (any more)."""


class UntrustedIssuer(AACError):
    """The access token names an issuer other than its region's token server."""
