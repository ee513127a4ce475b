"""The viewer's timezone: from the browser at first login, then a stored preference."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Profile


def log_in(client, user, timezone):
    return client.post(
        reverse("login"),
        {"username": user.username, "password": "pw-for-tests-1", "timezone": timezone},
    )


def stored(user) -> str:
    return Profile.objects.get(user=user).timezone


def test_it_takes_the_browsers_timezone_at_first_login(client, world):
    response = log_in(client, world.bob, "Europe/Paris")
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:dashboard")
    assert stored(world.bob) == "Europe/Paris"


def test_it_keeps_the_stored_timezone_at_later_logins(client, world):
    log_in(client, world.bob, "Europe/Paris")
    client.logout()
    log_in(client, world.bob, "Asia/Tokyo")
    assert stored(world.bob) == "Europe/Paris"


def test_it_ignores_a_timezone_it_does_not_know(client, world):
    response = log_in(client, world.bob, "Mars/Olympus")
    assert response.status_code == 302
    assert not Profile.objects.filter(user=world.bob).exclude(timezone="").exists()


def test_it_does_not_log_in_with_a_wrong_password(client, world):
    response = client.post(
        reverse("login"),
        {"username": "bob", "password": "wrong", "timezone": "Europe/Paris"},
    )
    assert response.status_code == 200
    assert "didn't match" in response.text
    assert not Profile.objects.filter(user=world.bob).exists()


def test_it_changes_the_timezone_on_the_preferences_page(login, world):
    client = login(world.bob)
    response = client.post(reverse("preferences"), {"timezone": "America/Chicago"})
    assert response.status_code == 302
    assert stored(world.bob) == "America/Chicago"
    page = client.get(reverse("preferences")).text
    assert '<option value="America/Chicago" selected>' in page


def test_it_refuses_an_unknown_timezone_on_the_preferences_page(login, world):
    response = login(world.bob).post(reverse("preferences"), {"timezone": "Nowhere"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Profile.objects.filter(user=world.bob).exists()


def test_it_shows_times_in_the_stored_timezone(login, world):
    Profile.objects.create(user=world.bob, timezone="Asia/Kolkata")
    page = login(world.bob).get(reverse("pages:dashboard"))
    assert page.context["charts"][-1].x_label == "Hour of day (Asia/Kolkata)"


def test_it_falls_back_to_the_default_for_a_timezone_no_longer_known(login, world):
    Profile.objects.create(user=world.bob, timezone="Gone/Away")
    page = login(world.bob).get(reverse("pages:dashboard"))
    assert page.status_code == 200
    assert page.context["charts"][-1].x_label == "Hour of day (UTC)"


BAD_NAMES = ["Mars/Olympus", "../../etc/passwd", "Europe/Paris ", "UTC\n", "x" * 64]


# The admin's form strips blanks first, so "UTC\n" is saved there as "UTC".
@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "x" * 64])
def test_the_admin_refuses_an_unknown_timezone(login, world, name):
    profile = Profile.objects.create(user=world.carol, timezone="Europe/Paris")
    url = reverse("admin:accounts_profile_change", args=[profile.pk])

    response = login(world.alice).post(url, {"user": world.carol.pk, "timezone": name})

    assert response.status_code == 200
    assert "is not a timezone" in response.text
    assert stored(world.carol) == "Europe/Paris"


def test_the_admin_saves_a_known_timezone(login, world):
    url = reverse("admin:accounts_profile_add")

    response = login(world.alice).post(
        url, {"user": world.carol.pk, "timezone": "Asia/Kolkata", "digest_hour": 8}
    )

    assert response.status_code == 302
    assert stored(world.carol) == "Asia/Kolkata"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_profile_refuses_an_unknown_timezone(world, name):
    with pytest.raises(ValidationError) as error:
        Profile(user=world.carol, timezone=name).full_clean()
    assert "timezone" in error.value.message_dict
