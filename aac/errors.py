"""The typed errors of the AAC client: one class per remote state a caller treats
differently (re-authorise, wait, retry, give up with a reason).

Every message is built by the client from the method, path, status and AAC's
own error text, with known secrets scrubbed out, so `str()`, `repr()` and
`args` never carry a token.
"""


class AACError(Exception):
    """Base class: something went wrong talking to AAC."""

    def __init__(
        self, message: str, *, status: int | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id

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


class RateLimited(AACError):
    """429: over quota; try again no sooner than `retry_after` seconds (if known)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


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


class NotFound(AACError):
    """404: the object or the route does not exist."""


class UntrustedIssuer(AACError):
    """The access token names an issuer other than its region's token server."""
