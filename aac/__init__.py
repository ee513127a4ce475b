"""The Alteryx Analytics Cloud client: HTTP calls, token claims, typed errors.

Django-free on purpose, so the simulator's tests, scripts and the portal share
it; the portal builds clients from settings in `workspaces.connection`.
"""

from aac.client import AACClient, Endpoints, TokenGrant
from aac.jwt import AccessTokenClaims, parse_access_token

__all__ = [
    "AACClient",
    "AccessTokenClaims",
    "Endpoints",
    "TokenGrant",
    "parse_access_token",
]
