"""What every API family answers with: error bodies, routes, list parameters.

Error bodies come in three dialects (docs/aac-api.md, Conventions of the v4
API; Plans flows workflows and their runs; Tokens): the v4 API's
`{"exception": {name, message, details}}`, the workflow service's
`{"kind", "message"}` and the token server's OAuth `{"error",
"error_description"}`. A handler that refuses a request raises `Refusal`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from aacsim.messages import JSON, SimRequest, SimResponse

EXCEPTION_NAMES = {
    400: "ValidationFailed",
    401: "AuthenticationFailed",
    403: "AccessControlException",
    404: "DataNotFoundException",
    409: "ConflictException",
    429: "TooManyRequestsException",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
# Only NotFoundError and BadRequestError are recorded; the rest are guesses.
SERVICE_KINDS = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "NotFoundError",
    429: "TooManyRequestsError",
}
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000


class Refusal(Exception):
    """Raised by a handler to answer `response` instead."""

    def __init__(self, response: SimResponse):
        super().__init__(response.status)
        self.response = response

    def answer(self, dialect: str) -> SimResponse:
        """The response, as a route of this dialect gives it."""
        return self.response


class Invalid(Refusal):
    """Parameters that fail validation: 400 `ApiValidationFailed` on the v4
    API, `BadRequestError` on the workflow service."""

    def __init__(self, details: str):
        super().__init__(
            v4_error(400, "ApiValidationFailed", "Request validation failed", details)
        )
        self.details = details

    def answer(self, dialect: str) -> SimResponse:
        if dialect == "service":
            return service_error(400, "BadRequestError", self.details)
        return self.response


@dataclass(frozen=True)
class Route:
    """`dialect` is how its errors look: "v4", "service" or "oauth"."""

    surface: str
    method: str
    pattern: re.Pattern
    endpoint: str
    handler: Callable
    dialect: str = "v4"


def route(method: str, path: str, endpoint: str, handler, **options) -> Route:
    """An API-host route; `path` is a regex matched against the whole path."""
    surface = options.pop("surface", "api")
    return Route(surface, method, re.compile(path), endpoint, handler, **options)


def v4_error(status: int, name: str, message: str, details: str = "") -> SimResponse:
    body = {"exception": {"name": name, "message": message, "details": details}}
    return SimResponse.json(status, body)


def service_error(status: int, kind: str, message: str) -> SimResponse:
    return SimResponse.json(status, {"kind": kind, "message": message})


def oauth_error(error: str, description: str, status: int = 400) -> SimResponse:
    body = {"error": error, "error_description": description}
    return SimResponse.json(status, body, **{"Cache-Control": "no-store"})


def error(dialect: str, status: int, message: str) -> SimResponse:
    """A generic error of `status` in the route's dialect."""
    if dialect == "oauth":
        code = "temporarily_unavailable" if status >= 500 else "invalid_request"
        return oauth_error(code, message, status)
    if dialect == "service":
        kind = SERVICE_KINDS.get(status, "InternalServerError")
        return service_error(status, kind, message)
    return v4_error(status, EXCEPTION_NAMES.get(status, "InternalServerError"), message)


def invalid(details: str) -> Refusal:
    return Invalid(details)


def not_found(what: str) -> Refusal:
    return Refusal(v4_error(404, "DataNotFoundException", f"{what} not found"))


def int_id(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise invalid("id must be an integer")
    return int(text)


def int_param(request: SimRequest, name: str, default: int, low: int, high: int):
    raw = request.param(name)
    if raw is None:
        return default
    if re.fullmatch(r"[0-9]{1,18}", raw) and low <= int(raw) <= high:
        return int(raw)
    raise invalid(f"{name} must be an integer from {low} to {high}")


def paging(request: SimRequest, default: int = DEFAULT_LIMIT) -> tuple[int, int]:
    """`limit` (1 to 1000) and `offset` (docs/aac-api.md, Conventions of the
    v4 API)."""
    limit = int_param(request, "limit", default, 1, MAX_LIMIT)
    return limit, int_param(request, "offset", 0, 0, 2**31 - 1)


def wants_count(request: SimRequest) -> bool:
    return (request.param("includeCount") or "").lower() == "true"


def choice(request: SimRequest, name: str, choices: tuple, default: str) -> str:
    value = request.param(name) or default
    if value not in choices:
        raise invalid(f"{name} must be one of {', '.join(choices)}")
    return value


def envelope(items: list[bytes], count: int | None) -> SimResponse:
    """`{"data": [...]}`, with `"count"` when asked, from encoded items."""
    total = b',"count":%d' % count if count is not None else b""
    body = b'{"data":[' + b",".join(items) + b"]" + total + b"}"
    return SimResponse(200, body, {"Content-Type": JSON})
