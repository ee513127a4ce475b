"""What every page's template may ask about its viewer."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts import tour


def first_visit(request) -> dict:
    """`first_visit_tour`: asked of the database only by a page that shows it,
    and never while the tour is off."""
    if not settings.AAC_FIRST_VISIT_TOUR:
        return {}
    return {"first_visit_tour": SimpleLazyObject(lambda: tour.is_shown(request.user))}
