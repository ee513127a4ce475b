"""The guided first visit: on every page until its user dismisses it, remembered
per user, and nowhere while AAC_FIRST_VISIT_TOUR is off."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from tests.factories import make_user


@pytest.fixture
def tour_on(settings):
    settings.AAC_FIRST_VISIT_TOUR = True


@pytest.fixture
def bob(db):
    return make_user("bob")


def dismiss(client, next_url="/schedules/"):
    return client.post(reverse("dismiss_tour"), {"next": next_url})


def test_it_is_shown_on_every_page_until_dismissed(client, bob, tour_on):
    client.force_login(bob)
    for page in ("pages:dashboard", "pages:schedules", "preferences"):
        assert 'id="tour"' in client.get(reverse(page)).text

    answer = dismiss(client)

    assert answer.status_code == 302
    assert answer.url == "/schedules/"
    assert 'id="tour"' not in client.get(reverse("pages:dashboard")).text
    assert Profile.objects.get(user=bob).tour_dismissed_at is not None


def test_it_is_remembered_per_user(client, bob, tour_on):
    alice = make_user("alice")
    client.force_login(bob)
    dismiss(client)

    client.force_login(alice)
    assert 'id="tour"' in client.get(reverse("pages:dashboard")).text


def test_it_marks_the_step_of_the_page_one_is_on(client, bob, tour_on):
    client.force_login(bob)
    page = client.get(reverse("pages:schedules")).text
    assert page.count('aria-current="step"') == 0  # the table leads to the step

    page = client.get(reverse("pages:dashboard")).text
    assert page.count('aria-current="step"') == 1


def test_a_second_dismissal_keeps_the_first_time(client, bob, tour_on):
    client.force_login(bob)
    dismiss(client)
    first = Profile.objects.get(user=bob).tour_dismissed_at

    dismiss(client)

    assert Profile.objects.get(user=bob).tour_dismissed_at == first


def test_it_goes_back_only_to_this_site(client, bob, tour_on):
    client.force_login(bob)
    assert dismiss(client, "https://evil.example.com/").url == "/"


def test_it_is_off_by_default_and_asks_the_database_nothing(client, bob):
    client.force_login(bob)
    with CaptureQueriesContext(connection) as counted:
        page = client.get(reverse("pages:dashboard")).text
    assert 'id="tour"' not in page
    assert not [q for q in counted.captured_queries if "tour_dismissed" in q["sql"]]
    assert dismiss(client).status_code == 404
