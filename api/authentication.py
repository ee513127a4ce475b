"""Token authentication: `Authorization: Bearer aacp_...`.

A request with a token acts as the token's user; one without a token header
falls through to the portal's session (whose writes DRF checks for CSRF; a
token request needs no CSRF token, as no browser sends it by itself). A
token that is unknown, revoked or expired, or whose user was deactivated, is
a 401 whose message says which, never echoing the secret.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiToken
from api.tokens import find_token

KEYWORD = "Bearer"
# `last_used_at` is written at most this often: a busy script costs no
# write per request.
LAST_USE_PRECISION = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).split()
        # The scheme's name is case-insensitive (RFC 9110, 11.1).
        if not header or header[0].decode(errors="replace").lower() != "bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as one word: Authorization: Bearer <token>."
            )
        token = find_token(header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown API token.")
        if token.state != "active":
            raise exceptions.AuthenticationFailed(f"This API token is {token.state}.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is inactive.")
        _note_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


def _note_use(token: ApiToken) -> None:
    """No statement at all within the minute: a script polling a sync run
    never waits for a write lock (SQLite takes one even for an UPDATE that
    changes nothing). The condition settles two requests at once."""
    now = timezone.now()
    since = now - LAST_USE_PRECISION
    if token.last_used_at is not None and token.last_used_at >= since:
        return
    recent = Q(last_used_at__gte=since)
    ApiToken.objects.filter(pk=token.pk).exclude(recent).update(last_used_at=now)
