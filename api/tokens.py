"""Making, finding and revoking personal API tokens.

A secret is `aacp_` and 43 URL-safe characters from `secrets` (256 bits): the
prefix makes a leaked token recognisable to secret scanners and to whoever
finds it in a log, and with that much entropy one unsalted SHA-256 is a safe
digest to look a token up by (no password stretching is needed: nothing
guessable is hashed).
"""

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from api.models import ApiToken

PREFIX = "aacp_"
# Characters of the secret kept in clear to tell tokens apart.
SHOWN = len(PREFIX) + 6


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    *,
    user: AbstractBaseUser,
    name: str,
    read_only: bool = False,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret: the only time the secret exists in clear."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=digest_of(secret),
        prefix=secret[:SHOWN],
        read_only=read_only,
        expires_at=expires_at,
    )
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """The token of a presented secret, with its user, whatever its state."""
    if not secret.startswith(PREFIX):
        return None
    found = ApiToken.objects.select_related("user").filter(digest=digest_of(secret))
    return found.first()


def revoke(tokens: QuerySet[ApiToken]) -> int:
    """Revoke the tokens not yet revoked; how many were."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
