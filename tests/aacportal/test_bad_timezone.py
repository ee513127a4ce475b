"""A stored timezone no zone answers to breaks no page: times show in UTC.

Every write path checks the name (tests/accounts/test_timezone.py); a value
written before that, by raw SQL or by a tzdata that since dropped the zone,
still opens every GET URL of the URL table (docs/reliability.md rule 18).
"""

import pytest
from django.urls import reverse

from accounts.models import Profile
from tests.aacportal import test_url_access as url_table

world = url_table.world


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "../../etc/passwd", "UTC\n", "x" * 64]
)
def test_every_page_answers_in_utc_for_a_bad_stored_timezone(client, world, name):
    superuser = world.users["superuser"]
    Profile.objects.update_or_create(user=superuser, defaults={"timezone": name})
    client.force_login(superuser)
    client.raise_request_exception = False

    answers = {
        route: client.get(entry.url(world)).status_code
        for route, entry in url_table.TABLE.items()
        if entry.method == "get"
    }

    assert [route for route, status in answers.items() if status >= 500] == []
    page = client.get(reverse("pages:dashboard"))
    assert page.context["charts"][-1].x_label == "Hour of day (UTC)"
