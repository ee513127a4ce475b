"""Every API error in one shape: `{"error": {"code", "message", "details"?}}`.

`code` is stable (scripts branch on it), `message` is for people, and
`details` carries a validation error's messages per parameter. Django's
Http404 and PermissionDenied, which `workspaces.access` raises, keep their
messages ("No such workspace", "Viewers cannot ..."), so the API says what
the pages say.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Refused(exceptions.APIException):
    """An action the portal refused, with the reason fit for the user."""

    status_code = 409
    default_code = "refused"

    def __init__(self, message: str, *, code: str = "refused", status: int = 409):
        super().__init__(message, code)
        self.status_code = status


def body(code: str, message: str, details=None) -> dict:
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        response.data = body("invalid", _first_message(details), details)
    else:
        response.data = body(exc.get_codes(), str(exc.detail))
    return response


def _first_message(details: dict) -> str:
    for field, messages in details.items():
        first = messages[0] if isinstance(messages, list) else messages
        return f"{field}: {first}" if field else str(first)
    return "Invalid input."


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other URL under /api/: a JSON 404 in the same shape."""
    return JsonResponse(body("not_found", "No such API endpoint."), status=404)
