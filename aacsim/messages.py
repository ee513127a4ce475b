"""What passes between a transport and `aacsim.api.handle`: requests and replies.

A reply is a `SimResponse` to send, a `Drop` (close the connection without an
answer) or a `Hang` (answer late, after the client has given up).
"""

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

JSON = "application/json; charset=utf-8"


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class SimRequest:
    method: str
    surface: str  # "api" (v4, token server, /_sim) or "gateway"
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @classmethod
    def build(cls, *, method, surface, target, headers, body=b"") -> "SimRequest":
        """From a request target (path and query) and (name, value) headers."""
        parts = urlsplit(target)
        return cls(
            method=method.upper(),
            surface=surface,
            path=parts.path or "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in headers},
            body=body or b"",
        )

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def bearer(self) -> str | None:
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None


@dataclass(frozen=True)
class SimResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, value, **headers: str) -> "SimResponse":
        return cls(status, dumps(value), {"Content-Type": JSON, **headers})


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering."""


@dataclass(frozen=True)
class Hang:
    """Wait `seconds` (the client gives up first), then send `response`."""

    seconds: float
    response: SimResponse


Reply = SimResponse | Drop | Hang
