"""Token-looking strings for the AAC client tests."""

import base64
import json


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_jwt(claims: dict) -> str:
    """An unsigned JWT with the given payload, shaped like AAC's access tokens."""
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


ACCESS_TOKEN = make_jwt(
    {
        "iss": "https://auth.aac.test/as",
        "client_id": "portal-client",
        "exp": 4102444800,
        "scope": ["openid", "w:01HZX3F8W2Q4N5R6S7T8V9W0XY"],
    }
)
REFRESH_TOKEN = "rt-9f8e7d6c5b4a39281706f5e4d3c2b1a0-SECRET-REFRESH"
