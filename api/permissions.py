"""What a token may do beyond its user's access: a read-only token only reads.

Which workspaces a request may see or operate is `workspaces.access`'s to
answer, in the views; this only stops a read-only token from changing
anything, whatever its user could.
"""

from rest_framework import permissions
from rest_framework.request import Request

from api.models import ApiToken


class TokenMayWrite(permissions.BasePermission):
    message = "This API token is read-only."

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return not (isinstance(request.auth, ApiToken) and request.auth.read_only)
