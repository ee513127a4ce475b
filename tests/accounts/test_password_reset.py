"""Password reset: off unless e-mail is configured; throttled when on."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_user

RESET_URLS = [
    reverse("password_reset"),
    reverse("password_reset_done"),
    reverse("password_reset_confirm", args=["MQ", "set-password"]),
    reverse("password_reset_complete"),
]


@pytest.fixture
def reset_on(settings):
    settings.AAC_PASSWORD_RESET_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AAC_PASSWORD_RESET_LIMIT = 3


def ask(client, email, address="192.0.2.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
@pytest.mark.parametrize("url", RESET_URLS)
def test_it_is_off_without_e_mail(client, settings, url):
    settings.AAC_PASSWORD_RESET_ENABLED = False

    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "bob@example.com"}).status_code == 404
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_login_page_offers_it_only_when_it_is_on(client, settings):
    settings.AAC_PASSWORD_RESET_ENABLED = False
    assert reverse("password_reset") not in client.get(reverse("login")).text
    settings.AAC_PASSWORD_RESET_ENABLED = True
    assert reverse("password_reset") in client.get(reverse("login")).text


@pytest.mark.django_db
def test_it_mails_a_reset_link_when_on(client, reset_on):
    make_user("bob")

    response = ask(client, "bob@example.com")

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["bob@example.com"]]


@pytest.mark.django_db
def test_it_throttles_one_address(client, reset_on):
    make_user("bob")
    answers = [ask(client, f"x{i}@example.com").status_code for i in range(4)]

    assert answers == [302, 302, 302, 429]
    assert ask(client, "bob@example.com").status_code == 429
    assert mail.outbox == []
    assert ask(client, "bob@example.com", address="192.0.2.99").status_code == 302


@pytest.mark.django_db
def test_it_throttles_one_e_mail_from_many_addresses(client, reset_on):
    make_user("bob")
    answers = [
        ask(client, "Bob@Example.com", address=f"192.0.2.{i}").status_code
        for i in range(4)
    ]

    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    response = ask(client, "bob@example.com", address="192.0.2.50")
    assert "Too many password reset requests" in response.text
