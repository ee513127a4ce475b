"""Activate the viewer's timezone for the whole request."""

from django.utils import timezone

from accounts.preferences import stored_timezone
from lib.zones import zone


class UserTimezoneMiddleware:
    """Must come after AuthenticationMiddleware: it reads `request.user`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = stored_timezone(request.user) if request.user.is_authenticated else ""
        # A stored name tzdata no longer knows shows the default, not a 500.
        if tz := zone(name):
            timezone.activate(tz)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
