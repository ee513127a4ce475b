"""How a failed exchange with AAC becomes one of the typed errors in `aac.errors`.

Two sources: an exception from `requests` (nothing or half an answer came
back) and an answer with an error status. AAC's error bodies come in four
shapes, one per service (docs/aac-api.md, Conventions of the v4 API and
Hosts); the message quotes AAC's own words from whichever it is, with every
known secret scrubbed out, since a server that echoes a token must not make
the client repeat it.
"""

import math
from typing import Any

import requests
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from urllib3.exceptions import MaxRetryError, NewConnectionError

from aac.errors import (
    AACError,
    AccessDenied,
    AuthError,
    InvalidGrant,
    InvalidProjectId,
    NotFound,
    ProtocolError,
    Quota,
    RateLimited,
    RateLimits,
    Rejected,
    Unavailable,
)

REDACTED = "[redacted]"
_REFUSALS = (400, 409, 422)


def network_error(where: str, exc: requests.RequestException) -> AACError | None:
    """Map a requests exception to a typed error, deciding whether AAC saw it.

    None for a local mistake (a bad URL or header), which is not AAC's state.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return Unavailable(f"{where}: timed out connecting", maybe_sent=False)
    if isinstance(exc, requests.ReadTimeout):
        return Unavailable(f"{where}: no answer within the read timeout")
    if isinstance(exc, requests.ConnectionError) and _never_connected(exc):
        return Unavailable(f"{where}: could not connect", maybe_sent=False)
    if isinstance(exc, requests.ConnectionError | ChunkedEncodingError):
        return Unavailable(f"{where}: the connection broke before the whole answer")
    if isinstance(exc, ContentDecodingError):
        return ProtocolError(f"{where}: the answer's content encoding is broken")
    return None


def _never_connected(exc: requests.ConnectionError) -> bool:
    # Connection refused and unknown hosts surface as a MaxRetryError whose
    # reason is a NewConnectionError; everything else happened after connecting.
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def status_error(
    response: requests.Response,
    where: str,
    request_id: str | None,
    secrets: tuple[str, ...],
) -> AACError:
    """The typed error for an answer whose status is not a success."""
    status = response.status_code
    body = _json_or_none(response)
    code, detail = _error_detail(body, secrets)
    message = f"{where}: {status} {detail}".rstrip()
    context = {"status": status, "request_id": request_id, "code": code or None}
    if _is_oauth_error(body, "invalid_grant"):
        description = _text(body.get("error_description"), secrets)
        return InvalidGrant(message, description=description, **context)
    if _is_invalid_api_key(body):
        return InvalidProjectId(message, **context)
    if status == 401:
        return AuthError(message, **context)
    if status == 403:
        return AccessDenied(message, **context)
    if status in (404, 410):
        return NotFound(message, **context)
    if status == 429:
        limits = rate_limits(response)
        return RateLimited(
            message, retry_after=retry_after(response), limits=limits, **context
        )
    if status >= 500:
        return Unavailable(message, retry_after=retry_after(response), **context)
    if status in _REFUSALS:
        return Rejected(message, **context)
    return ProtocolError(message, **context)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_detail(body: Any, secrets: tuple[str, ...]) -> tuple[str, str]:
    """AAC's name for the error and its own words, from any of its error bodies."""
    if not isinstance(body, dict):
        return "", ""
    exception = body.get("exception")  # v4: {"exception": {"name", "message"}}
    if isinstance(exception, dict):
        name, words = exception.get("name"), exception.get("message")
    elif isinstance(body.get("fault"), dict):  # Apigee: {"faultstring", "detail"}
        fault = body["fault"]
        detail = fault.get("detail")
        name = detail.get("errorcode") if isinstance(detail, dict) else None
        words = fault.get("faultstring")
    elif "kind" in body:  # workflow service: {"kind", "message"}
        name, words = body.get("kind"), body.get("message")
    elif "error" in body:  # OAuth token server: {"error", "error_description"}
        name, words = body.get("error"), body.get("error_description")
    else:
        return "", ""
    name, words = _text(name, secrets, 100), _text(words, secrets)
    return name, ": ".join(part for part in (name, words) if part)


def _is_oauth_error(body: Any, code: str) -> bool:
    return isinstance(body, dict) and body.get("error") == code


def _is_invalid_api_key(body: Any) -> bool:
    fault = body.get("fault") if isinstance(body, dict) else None
    detail = fault.get("detail") if isinstance(fault, dict) else None
    code = detail.get("errorcode") if isinstance(detail, dict) else None
    return isinstance(code, str) and code.endswith("InvalidApiKey")


def _text(value: Any, secrets: tuple[str, ...], limit: int = 300) -> str:
    """AAC's text, secrets scrubbed before it is cut, so no token half survives."""
    return scrub(value, secrets)[:limit] if isinstance(value, str) else ""


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """The text with every secret in it replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def retry_after(response: requests.Response) -> float | None:
    """Seconds from `x-retry-after`, None when absent or garbage."""
    return _number(response.headers.get("x-retry-after"))


def rate_limits(response: requests.Response) -> RateLimits:
    """The `x-rate-limit-{user,workspace}-{limit,remaining,reset}` headers."""

    def quota(scope: str) -> Quota:
        def header(name: str) -> float | None:
            return _number(response.headers.get(f"x-rate-limit-{scope}-{name}"))

        limit, remaining = header("limit"), header("remaining")
        return Quota(
            limit=None if limit is None else int(limit),
            remaining=None if remaining is None else int(remaining),
            reset=header("reset"),
        )

    return RateLimits(user=quota("user"), workspace=quota("workspace"))


def _number(value: str | None) -> float | None:
    """A finite, non-negative number from a header, else None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None
