"""Requests the portal refuses before any view sees them."""

from django.core.exceptions import BadRequest


class RejectNullCharacters:
    """A query string holding a NUL character is answered 400.

    No page takes one, and PostgreSQL refuses it in any query, so an admin
    filter or search given one would end in a 500 (docs/reliability.md rule
    18). Forms refuse it on their own; this covers every other reader.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise BadRequest("NUL character in the query string")
        return self.get_response(request)
