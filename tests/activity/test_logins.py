"""Logins, failed logins and lock-outs land in the activity log."""

from django.urls import reverse

from activity.models import Entry
from tests.factories import make_user

PASSWORD = "pw-for-tests-1"


def attempt(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password, "timezone": ""}
    )


def test_it_records_a_login_with_its_user(client, db):
    bob = make_user("bob")
    assert attempt(client, "bob", PASSWORD).status_code == 302
    entry = Entry.objects.get()
    assert (entry.action, entry.outcome, entry.user_id) == (
        "login",
        "succeeded",
        bob.pk,
    )
    assert entry.message == "From 127.0.0.1."


def test_it_records_failed_logins_and_the_lock_out_they_lead_to(client, db, settings):
    make_user("bob")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "bob", "wrong")
    actions = sorted(Entry.objects.values_list("action", "username"))
    failures = [("login_failed", "bob")] * settings.AXES_FAILURE_LIMIT
    # django-axes locks out from its own failure handler, before ours runs.
    assert actions == [("locked_out", "bob"), *failures]
