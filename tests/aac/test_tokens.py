from http.client import RemoteDisconnected
from urllib.parse import parse_qs

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import ProtocolError as Urllib3ProtocolError

from aac import Endpoints, TokenGrant
from aac.errors import InvalidGrant, ProtocolError, RateLimited, Unavailable
from tests.aac.conftest import TOKEN_URL
from tests.aac.tokens import REFRESH_TOKEN, make_jwt

NEW_ACCESS_TOKEN = make_jwt({"iss": "https://auth.aac.test/as", "exp": 4102444800})


def grant(**fields) -> dict:
    body = {
        "access_token": NEW_ACCESS_TOKEN,
        "refresh_token": "rt-new",
        "expires_in": 3600,
        "token_type": "Bearer",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def test_it_builds_endpoints_from_a_settings_region():
    region = {
        "label": "Europe (eu1)",
        "api_url": "https://eu1.alteryxcloud.com/",
        "gateway_url": "https://api.eu1.alteryxcloud.com",
        "issuer": "https://pingauth-eu1.alteryxcloud.com/as/",
    }

    endpoints = Endpoints.from_region(region)

    assert endpoints == Endpoints(
        api_url="https://eu1.alteryxcloud.com",
        gateway_url="https://api.eu1.alteryxcloud.com",
        issuer="https://pingauth-eu1.alteryxcloud.com/as",
        token_url="https://pingauth-eu1.alteryxcloud.com/as/token",
    )
    explicit = Endpoints.from_region({**region, "token_url": "https://t.test/token"})
    assert explicit.token_url == "https://t.test/token"


def test_it_posts_the_refresh_form_to_the_regions_token_url(client, rsps):
    rsps.post(TOKEN_URL, json=grant())

    result = client.refresh(REFRESH_TOKEN, "portal-client")

    assert result == TokenGrant(NEW_ACCESS_TOKEN, "rt-new", 3600, "Bearer")
    request = rsps.calls[0].request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH_TOKEN],
        "client_id": ["portal-client"],
    }
    assert "Authorization" not in request.headers
    assert request.req_kwargs["timeout"] == (2.0, 7.0)


def test_it_keeps_tokens_out_of_the_grants_repr(client, rsps):
    rsps.post(TOKEN_URL, json=grant())

    result = client.refresh(REFRESH_TOKEN, "portal-client")

    assert NEW_ACCESS_TOKEN not in repr(result)
    assert "rt-new" not in repr(result)
    assert "3600" in repr(result)


def test_it_reads_a_numeric_string_expires_in(client, rsps):
    rsps.post(TOKEN_URL, json=grant(expires_in="3600"))

    assert client.refresh(REFRESH_TOKEN, "c").expires_in == 3600


def test_it_leaves_what_the_answer_omits_unknown(client, rsps):
    rsps.post(TOKEN_URL, json={"access_token": NEW_ACCESS_TOKEN})

    result = client.refresh(REFRESH_TOKEN, "c")

    assert result.refresh_token is None
    assert result.expires_in is None
    assert result.token_type == "Bearer"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (grant(access_token=""), "access_token"),
        ({"refresh_token": "rt-new", "expires_in": 3600}, "access_token"),
        (grant(access_token=12345), "access_token"),
        (grant(access_token="two words"), "access_token"),
        (grant(expires_in="soon"), "expires_in"),
        (grant(expires_in=True), "expires_in"),
        (grant(expires_in=-5), "expires_in"),
        (grant(expires_in=[3600]), "expires_in"),
        (grant(refresh_token=42), "refresh_token"),
        (["not", "an", "object"], "not a JSON object"),
    ],
)
def test_it_refuses_an_answer_it_cannot_use(client, rsps, body, problem):
    rsps.post(TOKEN_URL, json=body, headers={"x-trifacta-request-id": "rq-1"})

    with pytest.raises(ProtocolError, match=problem) as info:
        client.refresh(REFRESH_TOKEN, "c")

    assert info.value.request_id == "rq-1"


def test_it_refuses_an_html_answer(client, rsps):
    rsps.post(TOKEN_URL, body="<html>Sign in</html>", content_type="text/html")

    with pytest.raises(ProtocolError, match="not JSON"):
        client.refresh(REFRESH_TOKEN, "c")


def test_it_raises_invalid_grant_with_the_servers_description(client, rsps):
    rsps.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "grant does not exist"},
    )

    with pytest.raises(InvalidGrant) as info:
        client.refresh(REFRESH_TOKEN, "c")

    assert info.value.description == "grant does not exist"
    assert info.value.status == 400
    assert "invalid_grant" in str(info.value)
    assert len(rsps.calls) == 1


def test_it_names_the_error_of_any_other_400(client, rsps):
    rsps.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_request", "error_description": "client_id missing"},
    )

    with pytest.raises(ProtocolError, match="invalid_request: client_id missing"):
        client.refresh(REFRESH_TOKEN, "")


def test_it_raises_rate_limited_at_once(client, rsps, sleeps):
    rsps.post(TOKEN_URL, status=429, headers={"x-retry-after": "7"})

    with pytest.raises(RateLimited) as info:
        client.refresh(REFRESH_TOKEN, "c")

    assert info.value.retry_after == 7.0
    assert len(rsps.calls) == 1
    assert sleeps == []


def test_it_never_retries_a_refresh_that_failed_on_the_server(client, rsps, sleeps):
    rsps.post(TOKEN_URL, status=503)

    with pytest.raises(Unavailable) as info:
        client.refresh(REFRESH_TOKEN, "c")

    assert info.value.maybe_sent is True
    assert len(rsps.calls) == 1
    assert sleeps == []


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(MaxRetryError(None, "/as/token", reason))


def aborted(cause: Exception) -> requests.ConnectionError:
    return requests.ConnectionError(Urllib3ProtocolError("Connection aborted.", cause))


@pytest.mark.parametrize(
    ("failure", "maybe_sent"),
    [
        (requests.ConnectTimeout("connect timed out"), False),
        (refused(), False),
        (requests.ReadTimeout("read timed out"), True),
        (aborted(RemoteDisconnected("closed without response")), True),
        (aborted(ConnectionResetError(104, "Connection reset by peer")), True),
        (requests.exceptions.ChunkedEncodingError("incomplete read"), True),
    ],
)
def test_it_says_whether_a_failed_refresh_may_have_reached_aac(
    client, rsps, sleeps, failure, maybe_sent
):
    rsps.post(TOKEN_URL, body=failure)

    with pytest.raises(Unavailable) as info:
        client.refresh(REFRESH_TOKEN, "c")

    assert info.value.maybe_sent is maybe_sent
    assert len(rsps.calls) == 1
    assert sleeps == []


def test_it_does_not_follow_a_redirect_with_the_refresh_token(client, rsps):
    rsps.post(TOKEN_URL, status=307, headers={"Location": "https://elsewhere.test/t"})

    with pytest.raises(ProtocolError, match="307"):
        client.refresh(REFRESH_TOKEN, "c")

    assert [call.request.url for call in rsps.calls] == [TOKEN_URL]
