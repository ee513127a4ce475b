"""No page is kept by a browser or a proxy: each shows workspace data to one user.

Every GET URL of the URL table, the CSV export and the status poll included,
answers with `Cache-Control: no-store`; static files stay cacheable.
"""

import pytest
from django.urls import reverse

from tests.aacportal import test_url_access as url_table

world = url_table.world


@pytest.mark.parametrize("role", ["superuser", "viewer", "anonymous"])
def test_no_page_may_be_stored(client, world, role):
    if world.users[role] is not None:
        client.force_login(world.users[role])

    stored = {
        route: response.get("Cache-Control", "")
        for route, entry in url_table.TABLE.items()
        if entry.method == "get"
        and "no-store"
        not in (response := client.get(entry.url(world))).get("Cache-Control", "")
    }

    assert stored == {}


def test_the_csv_export_may_not_be_stored(client, world):
    client.force_login(world.users["viewer"])

    response = client.get(reverse("pages:schedules_csv"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
