import traceback

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from aac import AACClient
from aac.errors import (
    AuthError,
    InvalidGrant,
    InvalidProjectId,
    NotFound,
    ProtocolError,
    RateLimited,
    Unavailable,
)
from tests.aac.conftest import API, GATEWAY, TOKEN_URL
from tests.aac.tokens import ACCESS_TOKEN, REFRESH_TOKEN

CURRENT = f"{API}/v4/workspaces/current"
WORKSPACE = {
    "id": 7,
    "name": "Demo",
    "gid": "01HZX3F8W2Q4N5R6S7T8V9W0XY",
    "state": "active",
}


def v4_error(name: str, message: str) -> dict:
    return {"exception": {"name": name, "message": message, "details": "..."}}


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (401, v4_error("AuthenticationFailed", "Token expired"), AuthError),
        (403, v4_error("AccessControlException", "Not allowed"), AuthError),
        (
            404,
            v4_error("RouteNotFoundException", "This route does not exist"),
            NotFound,
        ),
        (400, v4_error("ValidationFailed", "limit must be <= 1000"), ProtocolError),
        (409, v4_error("Conflict", "Already exists"), ProtocolError),
        (429, v4_error("TooManyRequestsException", "Slow down"), RateLimited),
        (500, v4_error("InternalError", "Oops"), Unavailable),
        (503, v4_error("ServiceUnavailable", "Maintenance"), Unavailable),
    ],
)
def test_it_maps_each_status_to_its_error(client, rsps, status, body, error_class):
    rsps.get(CURRENT, status=status, json=body, headers={"x-trifacta-request-id": "r1"})

    with pytest.raises(error_class) as info:
        client.current_workspace()

    error = info.value
    assert error.status == status
    assert error.request_id == "r1"
    name, message = body["exception"]["name"], body["exception"]["message"]
    assert error.message == f"GET /v4/workspaces/current: {status} {name}: {message}"
    assert str(error) == f"{error.message} (request id r1)"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"kind": "NotFoundError", "message": "No such flow"},
            "NotFoundError: No such flow",
        ),
        (
            {"error": "server_error", "error_description": "later"},
            "server_error: later",
        ),
        (
            {"fault": {"faultstring": "Quota", "detail": {"errorcode": "q.x"}}},
            "Quota: q.x",
        ),
        ({"unexpected": "shape"}, ""),
        ("a bare string", ""),
    ],
)
def test_it_quotes_every_kind_of_aac_error_body(client, rsps, body, detail):
    rsps.get(CURRENT, status=502, json=body)
    client.get_attempts = 1

    with pytest.raises(Unavailable) as info:
        client.current_workspace()

    assert info.value.message == f"GET /v4/workspaces/current: 502 {detail}".rstrip()


def test_it_maps_an_error_page_in_html(client, rsps):
    rsps.get(
        CURRENT, status=404, body="<html>Not here</html>", content_type="text/html"
    )

    with pytest.raises(NotFound) as info:
        client.current_workspace()

    assert info.value.message == "GET /v4/workspaces/current: 404"


@pytest.mark.parametrize(
    ("header", "retry_after"),
    [
        ("7", 7.0),
        ("0.5", 0.5),
        ("soon", None),
        ("-3", None),
        ("nan", None),
        (None, None),
    ],
)
def test_it_reads_retry_after_when_rate_limited(
    client, rsps, sleeps, header, retry_after
):
    headers = {"x-retry-after": header} if header else {}
    rsps.get(f"{API}/v4/schedules/count", status=429, headers=headers)

    with pytest.raises(RateLimited) as info:
        client.count_schedules()

    assert info.value.retry_after == retry_after
    assert len(rsps.calls) == 1
    assert sleeps == []


def test_it_calls_the_gateway_with_the_project_id(client, rsps):
    rsps.get(f"{GATEWAY}/iam/v1/workspaces/current", json=WORKSPACE)

    assert client.current_workspace_via_gateway("proj-123") == WORKSPACE
    headers = rsps.calls[0].request.headers
    assert headers["x-api-project-id"] == "proj-123"
    assert headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_it_tells_a_wrong_project_id_from_a_bad_token(client, rsps):
    fault = {
        "faultstring": "Invalid ApiKey",
        "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
    }
    rsps.get(f"{GATEWAY}/iam/v1/workspaces/current", status=401, json={"fault": fault})

    with pytest.raises(InvalidProjectId) as info:
        client.current_workspace_via_gateway("wrong")

    assert not isinstance(info.value, AuthError)
    assert "Invalid ApiKey" in str(info.value)


@pytest.mark.parametrize(
    ("url", "call", "body", "problem"),
    [
        (CURRENT, "current_workspace", {**WORKSPACE, "gid": None}, "`gid`"),
        (CURRENT, "current_workspace", {**WORKSPACE, "id": "7"}, "`id`"),
        (CURRENT, "current_workspace", [WORKSPACE], "not a JSON object"),
        (f"{API}/v4/schedules/5", "get_schedule", {"name": "no id"}, "`id`"),
        (f"{API}/v4/schedules", "list_first_page", {"items": []}, "`data`"),
        (f"{API}/v4/schedules", "list_first_page", {"data": {"id": 1}}, "`data`"),
        (f"{API}/v4/schedules", "list_first_page", {"data": [{"id": 1}, 2]}, "data[1]"),
        (
            f"{API}/v4/schedules",
            "list_first_page",
            {"data": [{"id": True}]},
            "data[0].id",
        ),
        (
            f"{API}/v4/schedules",
            "list_first_page",
            {"data": [{"id": "1"}]},
            "data[0].id",
        ),
    ],
)
def test_it_refuses_answers_of_the_wrong_shape(client, rsps, url, call, body, problem):
    rsps.get(url, json=body, headers={"x-trifacta-request-id": "r2"})
    calls = {
        "current_workspace": client.current_workspace,
        "get_schedule": lambda: client.get_schedule(5),
        "list_first_page": lambda: next(client.iter_schedule_pages()),
    }

    with pytest.raises(ProtocolError) as info:
        calls[call]()

    assert problem in str(info.value)
    assert info.value.request_id == "r2"
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"data": [', "application/json"),
        ("<!DOCTYPE html><html>Maintenance</html>", "text/html"),
        ("", "application/json"),
    ],
)
def test_it_refuses_an_answer_that_is_not_json(client, rsps, body, content_type):
    rsps.get(CURRENT, body=body, content_type=content_type)

    with pytest.raises(ProtocolError, match=f"not JSON \\({content_type}\\)"):
        client.current_workspace()


def test_it_retries_a_get_with_growing_jittered_backoff(client, rsps, sleeps):
    rsps.get(CURRENT, status=503)
    rsps.get(CURRENT, body=requests.ReadTimeout("slow"))
    rsps.get(CURRENT, json=WORKSPACE)

    assert client.current_workspace() == WORKSPACE
    assert len(rsps.calls) == 3
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5
    assert 0 <= sleeps[1] <= 1.0


def test_it_gives_up_after_the_last_attempt(client, rsps, sleeps):
    for n in range(3):
        rsps.get(CURRENT, status=503, headers={"x-trifacta-request-id": f"try-{n}"})

    with pytest.raises(Unavailable) as info:
        client.current_workspace()

    assert info.value.request_id == "try-2"
    assert len(rsps.calls) == 3
    assert len(sleeps) == 2


def test_it_waits_at_least_as_long_as_a_503_asks(client, rsps, sleeps):
    rsps.get(CURRENT, status=503, headers={"x-retry-after": "3"})
    rsps.get(CURRENT, json=WORKSPACE)

    client.current_workspace()

    assert sleeps == [3.0]


def test_it_leaves_a_long_503_wait_to_the_caller(client, rsps, sleeps):
    rsps.get(CURRENT, status=503, headers={"x-retry-after": "60"})

    with pytest.raises(Unavailable) as info:
        client.current_workspace()

    assert info.value.retry_after == 60.0
    assert len(rsps.calls) == 1
    assert sleeps == []


def test_it_retries_a_get_that_never_connected(client, rsps, sleeps):
    reason = NewConnectionError(None, "Connection refused")
    for _ in range(3):
        rsps.get(
            CURRENT, body=requests.ConnectionError(MaxRetryError(None, "/", reason))
        )

    with pytest.raises(Unavailable) as info:
        client.current_workspace()

    assert info.value.maybe_sent is False
    assert len(rsps.calls) == 3


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, v4_error("DataNotFoundException", "gone")), (200, {"data": "x"})],
)
def test_it_does_not_retry_what_a_retry_cannot_fix(client, rsps, sleeps, status, body):
    rsps.get(f"{API}/v4/schedules", status=status, json=body)

    with pytest.raises((NotFound, ProtocolError)):
        next(client.iter_schedule_pages())

    assert len(rsps.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize("action", ["enable", "disable"])
def test_it_never_retries_a_post(client, rsps, sleeps, action):
    rsps.post(f"{API}/v4/schedules/5/{action}", status=503)

    with pytest.raises(Unavailable):
        getattr(client, f"{action}_schedule")(5)

    assert len(rsps.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize("action", ["enable", "disable"])
def test_it_enables_and_disables_a_schedule(client, rsps, action):
    rsps.post(f"{API}/v4/schedules/5/{action}", json={"id": 5, "enabled": True})

    assert getattr(client, f"{action}_schedule")(5) == {"id": 5, "enabled": True}


def test_it_refuses_a_schedule_id_that_is_not_an_int(client):
    with pytest.raises(ValueError, match="format code"):
        client.get_schedule("5/../../admin")


def test_it_sends_timeouts_and_its_name_on_every_call(client, rsps):
    rsps.get(CURRENT, json=WORKSPACE)
    rsps.get(f"{GATEWAY}/iam/v1/workspaces/current", json=WORKSPACE)
    rsps.get(f"{API}/v4/schedules", json={"data": []})
    rsps.get(f"{API}/v4/schedules/count", json={"count": 0})
    rsps.get(f"{API}/v4/schedules/5", json={"id": 5})
    rsps.post(f"{API}/v4/schedules/5/enable", json={"id": 5})
    rsps.post(f"{API}/v4/schedules/5/disable", json={"id": 5})
    rsps.post(TOKEN_URL, json={"access_token": "new"})

    client.current_workspace()
    client.current_workspace_via_gateway("p")
    list(client.iter_schedule_pages())
    client.count_schedules()
    client.get_schedule(5)
    client.enable_schedule(5)
    client.disable_schedule(5)
    client.refresh(REFRESH_TOKEN, "c")

    assert len(rsps.calls) == 8
    for call in rsps.calls:
        assert call.request.req_kwargs["timeout"] == (2.0, 7.0)
        assert call.request.headers["User-Agent"].startswith("aac-portal/")
    bearer = [c for c in rsps.calls if "Authorization" in c.request.headers]
    assert len(bearer) == 7


def test_it_sends_nothing_without_a_usable_access_token(client, rsps):
    for token in [None, "", "has space", "line\nbreak"]:
        client.access_token = token
        with pytest.raises(AuthError, match="no usable access token"):
            client.current_workspace()

    assert len(rsps.calls) == 0


def test_its_repr_says_whether_a_token_is_set_but_not_which(client):
    assert repr(client) == "<AACClient https://aac.test token=set>"
    assert ACCESS_TOKEN not in repr(client)
    assert (
        repr(AACClient(client.endpoints)) == "<AACClient https://aac.test token=none>"
    )


# Every failure, with AAC echoing the tokens back in its error text.
ECHO = f"bad token {ACCESS_TOKEN} / {REFRESH_TOKEN}"
API_KEY_FAULT = {"faultstring": ECHO, "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
FAILURES = [
    ("get", 401, {"exception": {"name": "Unauthorized", "message": ECHO}}, AuthError),
    ("get", 403, {"fault": {"faultstring": ECHO}}, AuthError),
    ("get", 401, {"fault": API_KEY_FAULT}, InvalidProjectId),
    ("get", 404, {"kind": "NotFoundError", "message": ECHO}, NotFound),
    ("get", 429, {"exception": {"name": "Busy", "message": ECHO}}, RateLimited),
    ("get", 503, {"error": "unavailable", "error_description": ECHO}, Unavailable),
    ("get", 400, {"exception": {"name": "Invalid", "message": ECHO}}, ProtocolError),
    ("get", 200, {"data": ECHO}, ProtocolError),
    ("get", 200, ECHO, ProtocolError),
    (
        "refresh",
        400,
        {"error": "invalid_grant", "error_description": ECHO},
        InvalidGrant,
    ),
    (
        "refresh",
        400,
        {"error": "invalid_request", "error_description": ECHO},
        ProtocolError,
    ),
    ("refresh", 429, {"error": "slow_down", "error_description": ECHO}, RateLimited),
    ("refresh", 502, {"error": ECHO}, Unavailable),
    (
        "refresh",
        200,
        {"access_token": "", "refresh_token": REFRESH_TOKEN},
        ProtocolError,
    ),
    ("refresh", 200, {"access_token": ACCESS_TOKEN, "expires_in": ECHO}, ProtocolError),
    ("refresh", 200, f"<html>{ECHO}</html>", ProtocolError),
]


@pytest.mark.parametrize(("call", "status", "body", "error_class"), FAILURES)
def test_no_token_appears_in_any_error_or_log(
    client, rsps, raw_log_lines, call, status, body, error_class
):
    client.get_attempts = 1
    url = TOKEN_URL if call == "refresh" else f"{API}/v4/schedules"
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    rsps.add("POST" if call == "refresh" else "GET", url, status=status, **kwargs)
    act = {
        "refresh": lambda: client.refresh(REFRESH_TOKEN, "portal-client"),
        "get": lambda: next(client.iter_schedule_pages()),
    }[call]

    with pytest.raises(error_class) as info:
        act()

    error = info.value
    texts = [str(error), repr(error), repr(error.args), str(vars(error))]
    texts += traceback.format_exception(error)
    texts += [line for _, line in raw_log_lines]
    assert raw_log_lines, "the client logs its requests at DEBUG"
    for text in texts:
        assert ACCESS_TOKEN not in text
        assert REFRESH_TOKEN not in text
