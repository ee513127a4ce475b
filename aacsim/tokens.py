"""The simulated token server: HS256 JWT access tokens, single-use refresh tokens.

Access tokens are stateless JWTs signed with a per-simulator secret, so a token
from another simulator never verifies. Refresh tokens are opaque and rotate on
every use, as AAC's do (docs/aac-api.md, Tokens): the old one stops working at
once, optionally after a grace period, and reusing a spent one can revoke every
token descended from it (the OAuth 2.0 Security BCP's reuse detection). All of
that state sits behind one lock, so racing refreshes of one token see exactly
one winner.
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass, field

_HEADER = {"alg": "HS256", "typ": "JWT"}
# The text AAC's token server puts in `error_description` for a used, revoked
# or unknown refresh token contains "does not exist" [live]; the rest is a guess.
DOES_NOT_EXIST = "The refresh token does not exist."


class InvalidGrant(Exception):
    def __init__(self, description: str):
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class TokenPair:
    """What AAC's "Generate token" dialog (or a refresh) hands out."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    client_id: str
    expires_in: int


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _dumps(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def encode_jwt(claims: dict, secret: bytes, *, urlsafe_chars: bool = True) -> str:
    """Sign `claims` as an HS256 JWT, adding a random hex `jti`.

    ASCII JSON turns into base64 `-` or `_` only where a `>`, `?` or `~` is
    the third byte of a group, so most real payloads hold neither, and a
    client decoding with the standard alphabet (as Alteryx's own example does)
    works until the day it does not. With `urlsafe_chars` the jti carries a `~`
    and a `?` at such places: every payload then holds both characters and
    such a client fails at once.
    """
    header = b64url(_dumps(_HEADER))
    jti = list(secrets.token_hex(8))
    if urlsafe_chars:
        start = len(_dumps({**claims, "jti": ""})) - 2
        first = (2 - start) % 3
        jti[first], jti[first + 3] = "~", "?"
    payload = b64url(_dumps({**claims, "jti": "".join(jti)}))
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def decode_jwt(token: str, secret: bytes) -> dict | None:
    """The claims of a token this secret signed, else None (expiry not checked)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header, payload, signature = parts
    expected = hmac.new(
        secret, f"{header}.{payload}".encode("ascii", "replace"), hashlib.sha256
    ).digest()
    try:
        if not hmac.compare_digest(_unb64url(signature), expected):
            return None
        claims = json.loads(_unb64url(payload))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


@dataclass
class RefreshRecord:
    workspace_id: int
    person_id: int
    client_id: str
    expires_at: float
    used_at: float | None = None
    revoked: bool = False
    children: list[str] = field(default_factory=list)


class RefreshTokens:
    """Every refresh token ever issued, with its rotation family."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, RefreshRecord] = {}

    def issue(
        self, *, workspace_id: int, person_id: int, client_id: str, expires_at: float
    ) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._records[token] = RefreshRecord(
                workspace_id, person_id, client_id, expires_at
            )
        return token

    def workspace_of(self, token: str) -> int | None:
        with self._lock:
            record = self._records.get(token)
        return record.workspace_id if record else None

    def rotate(
        self,
        token: str,
        *,
        client_id: str,
        now: float,
        grace_seconds: float,
        revoke_family_on_reuse: bool,
    ) -> tuple[RefreshRecord, str]:
        """Spend `token` and issue its successor; raise InvalidGrant if it is spent.

        The successor keeps the family's expiry: whether AAC slides the
        refresh-token lifetime on rotation is unknown, and a fixed one is the
        case a portal must warn about.
        """
        with self._lock:
            record = self._records.get(token)
            if record is None or record.revoked or now >= record.expires_at:
                raise InvalidGrant(DOES_NOT_EXIST)
            if record.client_id != client_id:
                raise InvalidGrant("The refresh token was issued to another client.")
            if record.used_at is not None and now - record.used_at >= grace_seconds:
                if revoke_family_on_reuse:
                    self._revoke_descendants(token)
                raise InvalidGrant(DOES_NOT_EXIST)
            if record.used_at is None:
                record.used_at = now
            successor = secrets.token_urlsafe(32)
            self._records[successor] = RefreshRecord(
                record.workspace_id, record.person_id, client_id, record.expires_at
            )
            record.children.append(successor)
            return record, successor

    def _revoke_descendants(self, token: str) -> None:
        pending = list(self._records[token].children)
        while pending:
            child = self._records[pending.pop()]
            child.revoked = True
            pending.extend(child.children)
