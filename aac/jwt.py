"""Reading the claims of an AAC access token, without verifying its signature.

The portal cannot verify the signature (it has no key) and does not need to:
AAC does that. It reads the claims only to know when the token expires, which
OAuth client refreshes it, which issuer minted it, for which workspace and for
which person (docs/aac-api.md, Tokens).
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from aac.errors import UntrustedIssuer

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*=*")


@dataclass(frozen=True)
class AccessTokenClaims:
    iss: str | None
    client_id: str | None
    exp: datetime | None
    scope: list[str]
    workspace_gid: str | None
    # `sub`: the AAC person the token acts for.
    subject: str | None = None


def parse_access_token(token: str) -> AccessTokenClaims | None:
    """Return the claims of a JWT, or None for an opaque token (expiry unknown)."""
    segments = token.split(".")
    if len(segments) != 3:
        return None
    payload = _decode_segment(segments[1])
    if not isinstance(payload, dict):
        return None
    scope = _scope(payload.get("scope"))
    gids = [item[2:] for item in scope if item.startswith("w:") and len(item) > 2]
    return AccessTokenClaims(
        iss=_text(payload.get("iss")),
        client_id=_text(payload.get("client_id")),
        exp=_timestamp(payload.get("exp")),
        scope=scope,
        workspace_gid=gids[0] if gids else None,
        subject=_subject(payload.get("sub")),
    )


def check_issuer(claims: AccessTokenClaims, expected_issuer: str) -> None:
    """Refuse a token minted by another token server than the region's.

    A token without `iss` passes: the token URL always comes from settings, so
    the check exists to catch a token pasted under the wrong region, and an
    absent claim says nothing about that.
    """
    if claims.iss is None:
        return
    if claims.iss.rstrip("/") != expected_issuer.rstrip("/"):
        raise UntrustedIssuer(
            f"The token was issued by {claims.iss}, not by this region's token "
            f"server {expected_issuer}"
        )


def _decode_segment(segment: str) -> object:
    # JWTs use the URL-safe alphabet without padding (RFC 7515 §2); the standard
    # alphabet would mangle '-' and '_', as Alteryx's own example does.
    if not _BASE64URL.fullmatch(segment):
        return None
    try:
        segment = segment.rstrip("=")
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _subject(value: object) -> str | None:
    # A number or a string: AAC's person ids are numbers [guess].
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value)


def _scope(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
