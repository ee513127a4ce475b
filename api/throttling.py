"""The API's rate limit: AAC_API_RATE requests per token (per user for a session).

Counted in the cache (`CACHES`); an answer over the limit is a 429 with
`Retry-After`, in seconds. Read from the settings at each request, so a
change of AAC_API_RATE needs no restart of anything but the settings.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        return settings.AAC_API_RATE

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
