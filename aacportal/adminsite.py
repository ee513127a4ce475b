"""The portal's admin site: Django's, whose pages take only their own parameters.

Django's admin passes any `?field__lookup=value` of a changelist to the
database, so a crafted URL reaches lookups the backend refuses
(`?raw__contains=x` on SQLite), regular expressions it cannot compile, or
columns the page never shows; a date hierarchy out of range and an empty
`_to_field` also end in a 500. Every ModelAdmin registered here, the portal's
and those of Django and django-axes alike, gets `StrictParameters`: a
changelist filters only through its own filters, search and date hierarchy,
and anything else is answered 400 or sent back to the list with Django's
"invalid parameters" flag; an add form takes from the query string only the
initial values its fields can hold (docs/reliability.md rule 18).
"""

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field
from django.db.models.options import Options


class StrictChangeList(ChangeList):
    def get_filters(self, request):
        try:
            filters = super().get_filters(request)
        except (ValueError, OverflowError) as exc:  # a date hierarchy out of range
            raise IncorrectLookupParameters(exc) from exc
        # What the filters did not take: the date hierarchy's own bounds, or
        # lookups the page does not offer.
        remaining = filters[2]
        hierarchy = {f"{self.date_hierarchy}__{b}" for b in ("gte", "lt")}
        if unknown := sorted(set(remaining) - hierarchy):
            raise DisallowedModelAdminLookup(f"Filtering by {unknown} not allowed")
        return filters


class StrictParameters:
    """Mixed into every ModelAdmin of the site."""

    def get_changelist(self, request, **kwargs):
        return StrictChangeList

    def get_object(self, request, object_id, from_field=None):
        # `?_to_field=` (empty) means the primary key, not a field named "".
        return super().get_object(request, object_id, from_field or None)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {
            name: value
            for name, value in initial.items()
            if _may_hold(self.opts, name, value)
        }


def _may_hold(opts: Options, name: str, value: str | list[str]) -> bool:
    """False when `name` is a field and `value` no value it can hold."""
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        return True  # the form ignores it
    if not isinstance(field, Field):
        return True  # a reverse relation: not on the form either
    target = field.target_field if field.is_relation else field
    try:
        for item in value if isinstance(value, list) else [value]:
            target.clean(item, None)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, StrictParameters):
            admin_class = type(
                admin_class.__name__,
                (StrictParameters, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
