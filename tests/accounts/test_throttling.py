"""Login throttling: per username and address, per address across usernames,
and the client's address from a trusted proxy's header only when one is set."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.throttling import client_address
from tests.factories import make_user

PASSWORD = "pw-for-tests-1"


def attempt(client, username, password, **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password, "timezone": ""},
        **headers,
    )


@pytest.fixture
def people(db):
    return [make_user(f"user{i}") for i in range(6)]


def test_one_address_may_not_spray_passwords_across_usernames(client, people, settings):
    settings.AAC_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    per_user = settings.AXES_FAILURE_LIMIT - 1
    answers = [
        attempt(client, person.username, f"guess-{i}").status_code
        for person in people
        for i in range(per_user)
    ]

    assert answers[:8] == [200] * 8  # wrong passwords, said as such
    assert set(answers[8:]) == {429}  # then the address is locked out
    assert attempt(client, "user5", PASSWORD).status_code == 429
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert attempt(client, "user5", PASSWORD, **other).status_code == 302


def test_behind_a_trusted_proxy_each_client_is_counted_alone(client, people, settings):
    settings.AAC_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    guesser = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "user0", "guess", **guesser)

    assert attempt(client, "user0", PASSWORD, **guesser).status_code == 429
    owner = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert attempt(client, "user0", PASSWORD, **owner).status_code == 302


def test_without_a_trusted_proxy_a_forwarded_for_header_changes_nothing(
    client, people, settings
):
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "user0", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")

    fresh = {"HTTP_X_FORWARDED_FOR": "203.0.113.200"}
    assert attempt(client, "user0", PASSWORD, **fresh).status_code == 429


@pytest.mark.parametrize(
    ("header", "count", "value", "expected"),
    [
        ("X-Forwarded-For", 1, "203.0.113.5", "203.0.113.5"),
        # What the client sent comes first; each proxy appends what it saw.
        ("X-Forwarded-For", 1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ("X-Forwarded-For", 2, "1.2.3.4, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        ("X-Forwarded-For", 1, " 2001:db8::1 ", "2001:db8::1"),
        ("X-Real-IP", 1, "203.0.113.5", "203.0.113.5"),
        # Missing, short or not an address: the proxy's own address.
        ("X-Forwarded-For", 1, None, "10.0.0.1"),
        ("X-Forwarded-For", 2, "203.0.113.5", "10.0.0.1"),
        ("X-Forwarded-For", 1, "not-an-address", "10.0.0.1"),
        ("", 1, "203.0.113.5", "10.0.0.1"),
    ],
)
def test_it_takes_the_address_the_trusted_proxy_saw(
    settings, header, count, value, expected
):
    settings.AAC_TRUSTED_PROXY_HEADER = header
    settings.AAC_TRUSTED_PROXY_COUNT = count
    meta = {"REMOTE_ADDR": "10.0.0.1"}
    if value is not None:
        meta[f"HTTP_{(header or 'X-Forwarded-For').upper().replace('-', '_')}"] = value

    assert client_address(RequestFactory().get("/", **meta)) == expected
