"""`/health/live/`: for a load balancer, no login, nothing told but up or down."""

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db

LIVE = "/health/live/"


def test_it_answers_anyone_that_the_portal_is_up(client):
    response = client.get(LIVE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_it_answers_503_and_no_more_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('could not connect to "db-7.internal" as "portal"')

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get(LIVE)

    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_it_is_not_redirected_to_https_for_a_plain_http_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(LIVE).status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_the_detailed_page_still_needs_a_login(client):
    response = client.get("/health/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
