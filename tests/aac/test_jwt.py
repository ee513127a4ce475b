import base64
import json
from datetime import UTC, datetime

import pytest

from aac import parse_access_token
from aac.errors import UntrustedIssuer
from aac.jwt import check_issuer
from tests.aac.tokens import b64url, make_jwt


def claims_whose_encoding_has_dash_and_underscore() -> dict:
    # '~' and '?' give the 6-bit groups 62 and 63 ('-' and '_') at some shift.
    for shift in range(12):
        claims = {"iss": "https://auth.aac.test/as", "exp": 1700000000}
        claims["name"] = "x" * shift + "~~~???"
        encoded = b64url(json.dumps(claims).encode())
        if "-" in encoded and "_" in encoded and len(encoded) % 4:
            return claims
    raise AssertionError("no shift gives both characters")


def test_it_decodes_a_payload_whose_base64url_has_dash_and_underscore():
    claims = claims_whose_encoding_has_dash_and_underscore()
    token = make_jwt(claims)
    payload = token.split(".")[1]
    assert "-" in payload
    assert "_" in payload

    parsed = parse_access_token(token)

    assert parsed is not None
    assert parsed.iss == claims["iss"]
    assert parsed.exp == datetime.fromtimestamp(claims["exp"], tz=UTC)


@pytest.mark.parametrize("pad", ["", "x", "xx", "xxx"])
def test_it_decodes_payloads_of_every_padding_length(pad):
    token = make_jwt({"client_id": f"client{pad}"})

    parsed = parse_access_token(token)

    assert parsed is not None
    assert parsed.client_id == f"client{pad}"


def test_it_reads_the_claims_of_an_aac_token():
    token = make_jwt(
        {
            "iss": "https://pingauth.alteryxcloud.com/as",
            "client_id": "abc123",
            "exp": 1767225600,
            "scope": ["openid", "w:01HZX3F8W2Q4N5R6S7T8V9W0XY", "profile"],
        }
    )

    parsed = parse_access_token(token)

    assert parsed is not None
    assert parsed.iss == "https://pingauth.alteryxcloud.com/as"
    assert parsed.client_id == "abc123"
    assert parsed.exp == datetime(2026, 1, 1, tzinfo=UTC)
    assert parsed.exp.tzinfo is UTC
    assert parsed.scope == ["openid", "w:01HZX3F8W2Q4N5R6S7T8V9W0XY", "profile"]
    assert parsed.workspace_gid == "01HZX3F8W2Q4N5R6S7T8V9W0XY"


@pytest.mark.parametrize(
    ("sub", "subject"),
    [("146301", "146301"), (146301, "146301"), ("", None), (True, None), (None, None)],
)
def test_it_reads_the_person_a_token_acts_for(sub, subject):
    parsed = parse_access_token(make_jwt({"sub": sub}))

    assert parsed is not None
    assert parsed.subject == subject


def test_it_reads_a_space_separated_scope():
    parsed = parse_access_token(make_jwt({"scope": "openid w:01ABC  email"}))

    assert parsed is not None
    assert parsed.scope == ["openid", "w:01ABC", "email"]
    assert parsed.workspace_gid == "01ABC"


@pytest.mark.parametrize("scope", [None, 7, {"w": "x"}, "openid", ["w:"], [3, "x"]])
def test_it_has_no_workspace_gid_without_a_workspace_scope(scope):
    parsed = parse_access_token(make_jwt({"scope": scope}))

    assert parsed is not None
    assert parsed.workspace_gid is None
    assert all(isinstance(item, str) for item in parsed.scope)


@pytest.mark.parametrize("exp", ["missing", "1700000000", None, True, [1], 1e300])
def test_it_leaves_exp_unknown_when_it_is_missing_or_not_a_usable_number(exp):
    claims = {"iss": "https://auth.aac.test/as"}
    if exp != "missing":
        claims["exp"] = exp

    parsed = parse_access_token(make_jwt(claims))

    assert parsed is not None
    assert parsed.exp is None
    assert parsed.iss == "https://auth.aac.test/as"


def test_it_reads_a_fractional_exp():
    parsed = parse_access_token(make_jwt({"exp": 1700000000.5}))

    assert parsed is not None
    assert parsed.exp == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)


# Holds '+' and '/', which base64url never uses.
STANDARD_ALPHABET_PAYLOAD = base64.b64encode(b'{"exp": 1, "n": ">>>?"}').decode()


def _segments(payload: str) -> str:
    return f"eyJhbGciOiJSUzI1NiJ9.{payload}.sig"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "opaque-token-from-the-aac-ui",
        "a.b",
        _segments(b64url(b'{"exp": 1}')) + ".extra",
        _segments("!!!!"),
        _segments("a"),  # a length no base64 has
        _segments(b64url(b"not json")),
        _segments(b64url(b"[1, 2]")),
        _segments(b64url(b'"a string"')),
        _segments(b64url(b"\xff\xfe{}")),
        # The standard alphabet is not base64url: refuse rather than guess.
        _segments(STANDARD_ALPHABET_PAYLOAD),
    ],
)
def test_it_treats_tokens_that_are_not_jwts_as_opaque(token):
    assert parse_access_token(token) is None


def test_it_accepts_a_token_from_the_regions_issuer():
    claims = parse_access_token(make_jwt({"iss": "https://auth.aac.test/as/"}))

    check_issuer(claims, "https://auth.aac.test/as")


def test_it_accepts_a_jwt_without_an_issuer():
    claims = parse_access_token(make_jwt({"exp": 1700000000}))

    check_issuer(claims, "https://auth.aac.test/as")


def test_it_refuses_a_token_from_another_issuer():
    claims = parse_access_token(make_jwt({"iss": "https://evil.test/as"}))

    with pytest.raises(UntrustedIssuer) as info:
        check_issuer(claims, "https://auth.aac.test/as")

    assert "https://evil.test/as" in str(info.value)


def test_it_tolerates_padding_on_the_payload():
    claims = {"client_id": "padded"}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode()
    assert payload.endswith("=")

    parsed = parse_access_token(_segments(payload))

    assert parsed is not None
    assert parsed.client_id == "padded"
