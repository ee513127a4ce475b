"""Per-user preferences of the portal's people (their timezone, the daily digest,
whether they dismissed the guided first visit), and password-reset requests (for
their throttle)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from lib.zones import zone_names


def is_valid_timezone(name: str) -> bool:
    return name in zone_names()


def validate_timezone(name: str) -> None:
    """Every write path (the admin's form too) stores a name tzdata knows."""
    if name and not is_valid_timezone(name):
        raise ValidationError(
            "%(name)s is not a timezone this server knows (e.g. Europe/Paris).",
            params={"name": name},
            code="unknown_timezone",
        )


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile"
    )
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="IANA name. Taken from the browser at first login; "
        "blank means the server's TIME_ZONE.",
    )
    digest = models.BooleanField(
        "daily digest",
        default=False,
        help_text="E-mail me once a day what needs attention in my workspaces.",
    )
    digest_hour = models.PositiveSmallIntegerField(
        "digest hour",
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="The hour of the day (0-23, in my timezone) it arrives.",
    )
    tour_dismissed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the user hid the guided first visit; empty shows it "
        "(where AAC_FIRST_VISIT_TOUR is on).",
    )

    def __str__(self):
        return f"{self.user} ({self.timezone or 'default timezone'})"


class PasswordResetRequest(models.Model):
    """One request for a password-reset e-mail, kept an hour for the throttle
    (`accounts.throttling.reset_allowed`)."""

    address = models.GenericIPAddressField(null=True)
    # SHA-256 of the e-mail as typed (trimmed, lower case), known or not.
    email_digest = models.CharField(max_length=64)
    requested_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"reset requested from {self.address} at {self.requested_at:%H:%M}"
