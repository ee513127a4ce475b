"""Calling the API in tests: a Django test client that sends a token."""

from django.test import Client


def api_client(secret: str | None = None) -> Client:
    """A client with `Authorization: Bearer <secret>` (none without a secret).

    It enforces CSRF checks as a browser's client would: a token request
    needs no CSRF token, a session request does.
    """
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return Client(enforce_csrf_checks=True, headers=headers)
