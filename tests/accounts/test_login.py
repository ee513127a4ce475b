"""Login, logout and django-axes against password guessing (docs/reliability.md
rule 10)."""

from django.conf import settings
from django.urls import reverse


def attempt(client, password):
    return client.post(
        reverse("login"), {"username": "bob", "password": password, "timezone": ""}
    )


def test_it_logs_in_and_out(client, world):
    assert attempt(client, "pw-for-tests-1").status_code == 302
    assert client.get(reverse("pages:dashboard")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("pages:dashboard")).status_code == 302


def test_it_does_not_log_out_on_a_get(client, world):
    client.force_login(world.bob)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("pages:dashboard")).status_code == 200


def test_it_locks_the_account_after_too_many_wrong_passwords(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "guess").status_code == 200
    assert attempt(client, "guess").status_code == 429  # the last allowed failure
    locked = attempt(client, "pw-for-tests-1")
    assert locked.status_code == 429
    assert client.get(reverse("pages:dashboard")).status_code == 302
