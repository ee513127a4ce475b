"""The guided first visit: whether a user still sees it, and its dismissal.

A panel on every page (`templates/accounts/_tour.html`, its steps) walks a new
user through what the portal shows and does, until they hide it; the choice is
kept on their `Profile`. Off unless AAC_FIRST_VISIT_TOUR is set (the demo sets
it), so a production portal shows nothing of it by default.
"""

from django.conf import settings
from django.utils import timezone

from accounts.models import Profile


def is_shown(user) -> bool:
    if not settings.AAC_FIRST_VISIT_TOUR or not user.is_authenticated:
        return False
    return not Profile.objects.filter(
        user=user, tour_dismissed_at__isnull=False
    ).exists()


def dismiss(*, user) -> None:
    """Hide the tour for good; a second dismissal keeps the first time."""
    profile, _ = Profile.objects.get_or_create(user=user)
    Profile.objects.filter(pk=profile.pk, tour_dismissed_at=None).update(
        tour_dismissed_at=timezone.now()
    )
