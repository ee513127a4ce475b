import traceback

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from aac import AACClient
from aac.errors import (
    AccessDenied,
    AuthError,
    InvalidGrant,
    InvalidProjectId,
    NotFound,
    ProtocolError,
    RateLimited,
    Rejected,
    Unavailable,
)
from tests.aac.answers import WORKSPACE, service_error, v4_error
from tests.aac.calls import API_POSTS, EVERY_CALL
from tests.aac.conftest import API, TOKEN_URL
from tests.aac.tokens import ACCESS_TOKEN, REFRESH_TOKEN

CURRENT = f"{API}/v4/workspaces/current"


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (401, v4_error("AuthenticationFailed", "Token expired"), AuthError),
        (403, v4_error("AccessControlException", "Not allowed"), AccessDenied),
        (
            404,
            v4_error("RouteNotFoundException", "This route does not exist"),
            NotFound,
        ),
        (404, service_error("NotFoundError", "No such workflow"), NotFound),
        (410, v4_error("Gone", "Deleted"), NotFound),
        (400, v4_error("ValidationFailed", "limit must be <= 1000"), Rejected),
        (400, service_error("BadRequestError", "Invalid workflow"), Rejected),
        (409, v4_error("Conflict", "Already exists"), Rejected),
        (422, v4_error("Unprocessable", "No"), Rejected),
        (418, v4_error("Teapot", "Odd"), ProtocolError),
        (429, v4_error("TooManyRequestsException", "Slow down"), RateLimited),
        (500, v4_error("InternalError", "Oops"), Unavailable),
        (503, v4_error("ServiceUnavailable", "Maintenance"), Unavailable),
    ],
)
def test_it_maps_each_status_to_its_error(client, rsps, status, body, error_class):
    client.get_attempts = 1
    rsps.get(CURRENT, status=status, json=body, headers={"x-trifacta-request-id": "r1"})

    with pytest.raises(error_class) as info:
        client.current_workspace()

    error = info.value
    assert type(error) is error_class
    assert error.status == status
    assert error.request_id == "r1"
    name = body["exception"]["name"] if "exception" in body else body["kind"]
    message = body["exception"]["message"] if "exception" in body else body["message"]
    assert error.code == name
    assert error.message == f"GET /v4/workspaces/current: {status} {name}: {message}"
    assert str(error) == f"{error.message} (request id r1)"


def test_a_refusal_is_still_a_protocol_error_and_a_403_still_an_auth_error():
    # Code written before the finer classes existed keeps catching them.
    assert issubclass(Rejected, ProtocolError)
    assert issubclass(AccessDenied, AuthError)


@pytest.mark.parametrize(
    ("body", "detail", "code"),
    [
        (
            {"kind": "NotFoundError", "message": "No such flow"},
            "NotFoundError: No such flow",
            "NotFoundError",
        ),
        (
            {"error": "server_error", "error_description": "later"},
            "server_error: later",
            "server_error",
        ),
        (
            {"fault": {"faultstring": "Quota", "detail": {"errorcode": "q.x"}}},
            "q.x: Quota",
            "q.x",
        ),
        ({"unexpected": "shape"}, "", None),
        ("a bare string", "", None),
    ],
)
def test_it_quotes_every_kind_of_aac_error_body(client, rsps, body, detail, code):
    rsps.get(CURRENT, status=502, json=body)
    client.get_attempts = 1

    with pytest.raises(Unavailable) as info:
        client.current_workspace()

    assert info.value.message == f"GET /v4/workspaces/current: 502 {detail}".rstrip()
    assert info.value.code == code


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


def test_it_reads_the_quota_headers_of_a_429(client, rsps):
    rsps.post(
        f"{API}/v4/plans/3/run",
        status=429,
        json=v4_error("TooManyRequestsException", "Too Many Requests"),
        headers={
            "x-retry-after": "57",
            "x-rate-limit-user-limit": "30",
            "x-rate-limit-user-remaining": "0",
            "x-rate-limit-user-reset": "1631096271696",
            "x-rate-limit-workspace-limit": "60",
            "x-rate-limit-workspace-remaining": "38",
            "x-rate-limit-workspace-reset": "1631096271",
        },
    )

    with pytest.raises(RateLimited) as info:
        client.run_plan(3, execution_id="press-1")

    limits = info.value.limits
    assert info.value.retry_after == 57.0
    assert info.value.code == "TooManyRequestsException"
    assert (limits.user.limit, limits.user.remaining) == (30, 0)
    assert (limits.workspace.limit, limits.workspace.remaining) == (60, 38)
    assert limits.exhausted == ("user", limits.user)
    assert limits.user.reset_at.isoformat() == "2021-09-08T10:17:51.696000+00:00"
    assert limits.workspace.reset_at.isoformat() == "2021-09-08T10:17:51+00:00"


def test_a_429_without_quota_headers_leaves_them_unknown(client, rsps):
    headers = {"x-rate-limit-user-limit": "lots", "x-rate-limit-user-reset": "42"}
    rsps.get(CURRENT, status=429, headers=headers)

    with pytest.raises(RateLimited) as info:
        client.current_workspace()

    limits = info.value.limits
    assert limits.user.limit is None
    assert limits.user.reset == 42.0
    assert limits.user.reset_at is None  # seconds from some moment, not an instant
    assert limits.workspace.remaining is None
    assert limits.exhausted is None


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
    [
        (404, v4_error("DataNotFoundException", "gone")),
        (403, v4_error("AccessControlException", "no")),
        (429, v4_error("TooManyRequestsException", "later")),
        (200, {"data": "x"}),
    ],
)
def test_it_does_not_retry_what_a_retry_cannot_fix(client, rsps, sleeps, status, body):
    rsps.get(f"{API}/v4/schedules", status=status, json=body)

    with pytest.raises((NotFound, AuthError, RateLimited, ProtocolError)):
        next(client.iter_schedule_pages())

    assert len(rsps.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize("call", API_POSTS, ids=str)
@pytest.mark.parametrize(
    "failure", [503, requests.ReadTimeout("slow"), requests.ConnectionError("reset")]
)
def test_it_never_retries_a_post(client, rsps, sleeps, call, failure):
    if isinstance(failure, int):
        rsps.add(call.method, call.url, status=failure)
    else:
        rsps.add(call.method, call.url, body=failure)

    with pytest.raises(Unavailable):
        call.run(client)

    assert len(rsps.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize("call", EVERY_CALL, ids=str)
def test_it_sends_timeouts_and_its_name_on_every_call(client, rsps, call):
    rsps.add(call.method, call.url, json=call.answer)

    call.run(client)

    request = rsps.calls[0].request
    assert request.req_kwargs["timeout"] == (2.0, 7.0)
    assert request.headers["User-Agent"].startswith("aac-portal/")
    bearer = request.headers.get("Authorization")
    assert bearer == (None if call.url == TOKEN_URL else f"Bearer {ACCESS_TOKEN}")


def test_it_sends_nothing_without_a_usable_access_token(client, rsps):
    for token in [None, "", "has space", "line\nbreak"]:
        client.access_token = token
        with pytest.raises(AuthError, match="no usable access token"):
            client.current_workspace()

    assert len(rsps.calls) == 0


def test_it_refuses_a_304_to_a_call_that_sent_no_execution_id(client, rsps):
    rsps.post(f"{API}/v4/flows/4/run", status=304)

    with pytest.raises(ProtocolError, match="304"):
        client.run_flow(4)


def test_its_repr_says_whether_a_token_is_set_but_not_which(client):
    assert repr(client) == "<AACClient https://aac.test token=set>"
    assert ACCESS_TOKEN not in repr(client)
    assert (
        repr(AACClient(client.endpoints)) == "<AACClient https://aac.test token=none>"
    )


# Every failure, with AAC echoing back in its error text the tokens it was sent:
# the access token on an API call, the refresh token (and, to be safe, the
# client's access token) on a refresh.
API_ECHO = f"bad token {ACCESS_TOKEN}"
ECHO = f"bad token {ACCESS_TOKEN} / {REFRESH_TOKEN}"
API_KEY_FAULT = {
    "faultstring": API_ECHO,
    "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
}
FAILURES = [
    (
        "get",
        401,
        {"exception": {"name": "Unauthorized", "message": API_ECHO}},
        AuthError,
    ),
    ("get", 403, {"fault": {"faultstring": API_ECHO}}, AccessDenied),
    ("get", 401, {"fault": API_KEY_FAULT}, InvalidProjectId),
    ("get", 404, {"kind": "NotFoundError", "message": API_ECHO}, NotFound),
    ("get", 429, {"exception": {"name": "Busy", "message": API_ECHO}}, RateLimited),
    ("get", 503, {"error": "unavailable", "error_description": API_ECHO}, Unavailable),
    ("get", 400, {"exception": {"name": "Invalid", "message": API_ECHO}}, Rejected),
    ("get", 200, {"data": API_ECHO}, ProtocolError),
    ("get", 200, API_ECHO, ProtocolError),
    ("run", 403, {"exception": {"name": API_ECHO, "message": API_ECHO}}, AccessDenied),
    ("run", 429, {"exception": {"name": "Busy", "message": API_ECHO}}, RateLimited),
    ("run", 400, {"kind": "BadRequestError", "message": API_ECHO}, Rejected),
    ("run", 502, {"kind": API_ECHO, "message": API_ECHO}, Unavailable),
    ("run", 200, {"jobStatus": API_ECHO}, ProtocolError),
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
    method, url = {
        "get": ("GET", f"{API}/v4/schedules"),
        "run": ("POST", f"{API}/svc-workflow/api/v1/workflows/{'W' * 26}/run"),
        "refresh": ("POST", TOKEN_URL),
    }[call]
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    rsps.add(method, url, status=status, **kwargs)
    act = {
        "get": lambda: next(client.iter_schedule_pages()),
        "run": lambda: client.run_workflow("W" * 26, execution_id="press-1"),
        "refresh": lambda: client.refresh(REFRESH_TOKEN, "portal-client"),
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


def test_a_token_is_scrubbed_before_a_long_message_is_cut(client, rsps):
    words = "x" * 250 + ACCESS_TOKEN
    rsps.get(CURRENT, status=400, json=v4_error("Invalid", words))

    with pytest.raises(Rejected) as info:
        client.current_workspace()

    payload = ACCESS_TOKEN.split(".")[1]
    assert "[redacted]" in str(info.value)
    assert payload[:20] not in str(info.value)
