"""Crafted GET parameters never give a 500, on any page (docs/reliability.md rule 18).

Every GET URL of the URL table (`test_url_access.TABLE`, which has an entry for
every URL) is opened by a superuser, who reaches every page and admin page,
with each parameter the page reads set to each crafted value in turn. What a
page reads is found by watching its query string while it answers a plain
request; an admin changelist also reads its filters' parameters and its date
hierarchy, and an admin add form takes any field's initial value. Lookups the
admin would pass to the database (`?raw__contains=x`) are tried on every
field of every changelist. A bad parameter may be ignored, answered 400 or
sent back to the page (the admin's `?e=1`), never a 500.
"""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.http import QueryDict
from django.test import RequestFactory

from tests.aacportal import test_url_access as url_table

world = url_table.world

# Values that broke or could break a parser, a query or a database.
VALUES = [
    "",
    "²",
    "-1",
    "1e18",
    "nan",
    "99999999999999999999",
    "9999",
    "2026-02-30",
    "\x00",
    "%_'\"(\\",
    "a" * 3000,
]
# Tried on every field of every changelist, with one value each.
LOOKUPS = ("", "__contains", "__regex", "__in", "__gt", "__year", "__isnull")
LOOKUP_VALUE = "²(\x00'x"
READS = ("get", "__getitem__", "getlist", "__contains__")
GET_ROUTES = sorted(
    route for route, entry in url_table.TABLE.items() if entry.method == "get"
)


def parameters_read(client, url: str, monkeypatch) -> set[str]:
    """The names the page looks up in its query string while it answers."""
    read: set[str] = set()
    for method in READS:
        original = getattr(QueryDict, method)

        def watching(self, key, *args, _original=original, **kwargs):
            read.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, watching)
    client.get(url)
    monkeypatch.undo()
    return read


def changelist_parameters(model_admin, user) -> set[str]:
    """What a changelist's filters and date hierarchy take from the query string."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = {
        name for spec in changelist.filter_specs for name in spec.expected_parameters()
    }
    if hierarchy := model_admin.date_hierarchy:
        names |= {f"{hierarchy}__{part}" for part in ("year", "month", "day")}
    return names


def field_lookups(model) -> set[str]:
    fields = [field.name for field in model._meta.concrete_fields]
    return {f"{field}{lookup}" for field in fields for lookup in LOOKUPS}


def admin_model(route: str):
    """The model of an admin URL of one model (its list, add, change...), or None."""
    for model, model_admin in admin.site._registry.items():
        if route.startswith(f"admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model, model_admin
    return None, None


@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda route: route or "/")
def test_no_crafted_parameter_gives_a_500(client, world, route, monkeypatch):
    superuser = world.users["superuser"]
    client.force_login(superuser)
    client.raise_request_exception = False
    entry = url_table.TABLE[route]
    url = entry.url(world)
    names = parameters_read(client, url, monkeypatch)
    tried = [{name: value} for name in sorted(names) for value in VALUES]
    model, model_admin = admin_model(route)
    if model is not None and route.endswith(f"{model._meta.model_name}/"):
        filters = changelist_parameters(model_admin, superuser) - names
        tried += [{name: value} for name in sorted(filters) for value in VALUES]
        lookups = field_lookups(model) - names - filters
        tried += [{name: LOOKUP_VALUE} for name in sorted(lookups)]
    elif model is not None and route.endswith("add/"):
        # Every field's initial value at once: one does not hide another.
        fields = [field.name for field in model._meta.concrete_fields]
        tried += [dict.fromkeys(fields, value) for value in VALUES]

    errors = []
    for parameters in tried:
        response = client.get(
            f"{url}{'&' if '?' in url else '?'}{urlencode(parameters)}"
        )
        if response.status_code >= 500:
            errors.append((parameters, response.status_code))
    assert errors == [], f"{url} read {sorted(names)}"


def test_it_finds_what_a_page_reads(client, world, monkeypatch):
    client.force_login(world.users["superuser"])
    url = url_table.TABLE["sync/status/"].url(world)

    assert parameters_read(client, url, monkeypatch) >= {"workspace", "since"}
