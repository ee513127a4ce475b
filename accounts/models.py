"""Per-user preferences of the portal's people (today: their timezone)."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile"
    )
    timezone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA name. Taken from the browser at first login; "
        "blank means the server's TIME_ZONE.",
    )

    def __str__(self):
        return f"{self.user} ({self.timezone or 'default timezone'})"
