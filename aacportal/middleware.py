"""What the portal does to every request and response, whatever the view."""

from django.core.exceptions import BadRequest
from django.utils.cache import add_never_cache_headers


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


class NoStore:
    """Every page and export is marked `Cache-Control: no-store, private`.

    Each shows workspace data to the one user logged in (or a login form with
    its CSRF token): no browser cache, shared proxy or back button may keep a
    copy. Static files, which WhiteNoise answers before this runs, stay
    cacheable; a view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
