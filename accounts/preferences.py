"""The viewer's timezone (taken from the browser at first login, then stored)
and their daily digest (opt-in, at a local hour).

Pages show every time in it (see `accounts.middleware`); an unset or no longer
known name falls back to settings.TIME_ZONE.
"""

import logging

from accounts.models import Profile, is_valid_timezone

logger = logging.getLogger(__name__)


def stored_timezone(user) -> str:
    """The user's stored timezone name, or "" when none was chosen yet."""
    found = Profile.objects.filter(user=user).values_list("timezone", flat=True)
    return found.first() or ""


def stored_digest(user) -> tuple[bool, int]:
    """Whether the user asked for the digest, and at which local hour."""
    found = Profile.objects.filter(user=user).values_list("digest", "digest_hour")
    return found.first() or (False, Profile._meta.get_field("digest_hour").default)


def set_digest(*, user, enabled: bool, hour: int) -> None:
    if not 0 <= hour <= 23:
        raise ValueError(f"no such hour {hour!r}")
    Profile.objects.update_or_create(
        user=user, defaults={"digest": enabled, "digest_hour": hour}
    )


def stop_digest(*, user_id: int) -> bool:
    """The unsubscribe link's work; whether the user existed and had it on."""
    return bool(
        Profile.objects.filter(user_id=user_id, digest=True).update(digest=False)
    )


def adopt_browser_timezone(*, user, name: str) -> bool:
    """Store the browser's timezone unless the user already has one.

    The conditional update keeps a choice made on the preferences page even
    when two logins race.
    """
    if not is_valid_timezone(name):
        return False
    profile, _ = Profile.objects.get_or_create(user=user)
    adopted = Profile.objects.filter(pk=profile.pk, timezone="").update(timezone=name)
    if adopted:
        logger.info("user %s: timezone %s taken from the browser", user.pk, name)
    return bool(adopted)


def set_timezone(*, user, name: str) -> None:
    if not is_valid_timezone(name):
        raise ValueError(f"unknown timezone {name!r}")
    Profile.objects.update_or_create(user=user, defaults={"timezone": name})
