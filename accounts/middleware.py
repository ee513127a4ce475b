"""Activate the viewer's timezone for the whole request."""

import zoneinfo

from django.utils import timezone

from accounts.preferences import stored_timezone


class UserTimezoneMiddleware:
    """Must come after AuthenticationMiddleware: it reads `request.user`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = stored_timezone(request.user) if request.user.is_authenticated else ""
        try:
            if name:
                timezone.activate(zoneinfo.ZoneInfo(name))
            else:
                timezone.deactivate()
        except zoneinfo.ZoneInfoNotFoundError:
            # tzdata changed under a stored name: show the default, not a 500.
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
