"""AAC's HTTP surface over the simulator state, independent of any transport.

`handle(sim, request)` routes a `SimRequest` (the API host, which also serves
the token server and the `/_sim` control API, or the gateway host) and returns
what the transport must do: send a `SimResponse`, `Drop` the connection, or
`Hang` and then send. Faults are applied here, so the real HTTP server and the
`responses` adapter behave the same.

Bodies follow shared/aac-api.md: v4 errors are `{"exception": {name, message,
details}}`, token errors are OAuth's `{"error", "error_description"}`, the
gateway's project-id check answers Apigee's `fault`. The 401 body for a bad
bearer token is unknown for the real service; `AuthenticationFailed` is a guess.
"""

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from aacsim import control
from aacsim.faults import ANSWERING, Fault
from aacsim.messages import JSON, Drop, Hang, Reply, SimRequest, SimResponse
from aacsim.state import SORTS, Caller, Simulator, dumps
from aacsim.tokens import InvalidGrant

REQUEST_ID = "x-trifacta-request-id"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
RATE_LIMIT = {"user": 30, "workspace": 60}
_EXCEPTION_NAMES = {
    400: "ValidationFailed",
    401: "AuthenticationFailed",
    403: "AccessControlException",
    404: "DataNotFoundException",
    409: "ConflictException",
    429: "TooManyRequestsException",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Alteryx Analytics Cloud</title></head>"
    "<body><h1>Sign in</h1><p>Your session has ended.</p></body></html>\n"
)


def v4_error(status: int, name: str, message: str, details: str = "") -> SimResponse:
    body = {"exception": {"name": name, "message": message, "details": details}}
    return SimResponse.json(status, body)


def _oauth_error(error: str, description: str, status: int = 400) -> SimResponse:
    body = {"error": error, "error_description": description}
    return SimResponse.json(status, body, **{"Cache-Control": "no-store"})


def _invalid(details: str) -> SimResponse:
    return v4_error(400, "ApiValidationFailed", "Request validation failed", details)


_UNAUTHENTICATED = v4_error(
    401, "AuthenticationFailed", "Invalid or expired access token"
)
_INVALID_API_KEY = SimResponse.json(
    401,
    {
        "fault": {
            "faultstring": "Invalid ApiKey",
            "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
        }
    },
)


# Handlers. Each takes (sim, request, caller, schedule id) and returns a response.


def _token(sim: Simulator, request: SimRequest, caller, _id) -> SimResponse:
    form = parse_qs(request.body.decode("utf-8", "replace"))
    grant_type, refresh_token, client_id = (
        form.get(name, [""])[0] for name in ("grant_type", "refresh_token", "client_id")
    )
    if not grant_type:
        return _oauth_error("invalid_request", "Missing grant_type parameter.")
    if grant_type != "refresh_token":
        return _oauth_error("unsupported_grant_type", "Unsupported grant type.")
    if not refresh_token:
        return _oauth_error("invalid_request", "Missing refresh_token parameter.")
    if not client_id:
        return _oauth_error("invalid_request", "Missing client_id parameter.")
    try:
        pair = sim.refresh(refresh_token, client_id=client_id)
    except InvalidGrant as exc:
        return _oauth_error("invalid_grant", exc.description)
    body = {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
        "token_type": "Bearer",
    }
    return SimResponse.json(200, body, **{"Cache-Control": "no-store"})


def _current_workspace(sim, request, caller: Caller, _id) -> SimResponse:
    return SimResponse.json(200, caller.workspace.as_json())


def _gateway_workspace(sim, request, caller: Caller, _id) -> SimResponse:
    if request.headers.get("x-api-project-id") != caller.workspace.project_id:
        return _INVALID_API_KEY
    return _current_workspace(sim, request, caller, _id)


def _int_param(request: SimRequest, name: str, default: int, low: int, high: int):
    raw = request.param(name)
    if raw is None:
        return default
    if re.fullmatch(r"[0-9]+", raw) and low <= int(raw) <= high:
        return int(raw)
    return None


def _visible_ids(sim: Simulator, caller: Caller, sort: str) -> list[int]:
    ids = caller.workspace.ordered_ids(sort)
    if sim.list_scope == "owner":
        schedules = caller.workspace.schedules
        ids = [i for i in ids if schedules[i]["createdBy"] == caller.person_id]
    return ids


def _list_schedules(sim: Simulator, request, caller: Caller, _id) -> SimResponse:
    limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    if limit is None:
        return _invalid(f"limit must be an integer from 1 to {MAX_LIMIT}")
    offset = _int_param(request, "offset", 0, 0, 2**31 - 1)
    if offset is None:
        return _invalid("offset must be a non-negative integer")
    sort = request.param("sort") or "id"
    if sort not in SORTS:
        return _invalid(f"sort must be one of {', '.join(SORTS)}")
    include_count = (request.param("includeCount") or "").lower() == "true"
    workspace = caller.workspace
    with sim.lock:
        ids = _visible_ids(sim, caller, sort)
        items = b",".join(workspace.encoded(i) for i in ids[offset : offset + limit])
    count = b',"count":%d' % len(ids) if include_count else b""
    body = b'{"data":[' + items + b"]" + count + b"}"
    return SimResponse(200, body, {"Content-Type": JSON})


def _count_schedules(sim: Simulator, request, caller: Caller, _id) -> SimResponse:
    with sim.lock:
        count = len(_visible_ids(sim, caller, "id"))
    return SimResponse.json(200, {"count": count})


def _not_found(schedule_id: int) -> SimResponse:
    return v4_error(
        404, "DataNotFoundException", f"Schedule with id {schedule_id} not found"
    )


def _get_schedule(sim: Simulator, request, caller: Caller, schedule_id: int):
    with sim.lock:
        if schedule_id not in caller.workspace.schedules:
            return _not_found(schedule_id)
        body = caller.workspace.encoded(schedule_id)
    return SimResponse(200, body, {"Content-Type": JSON})


def _setter(enabled: bool) -> Callable:
    def set_enabled(sim: Simulator, request, caller: Caller, schedule_id: int):
        schedule = sim.set_enabled(caller, schedule_id, enabled)
        if schedule is None:
            return _not_found(schedule_id)
        return SimResponse.json(200, schedule)

    return set_enabled


def _delete_schedule(sim: Simulator, request, caller: Caller, schedule_id: int):
    if not sim.remove_schedules(caller.workspace.id, [schedule_id]):
        return _not_found(schedule_id)
    return SimResponse(204)


@dataclass(frozen=True)
class Route:
    surface: str
    method: str
    pattern: re.Pattern
    endpoint: str
    handler: Callable


_ID = r"/v4/schedules/(?P<id>[^/]+)"
ROUTES = (
    Route("api", "POST", re.compile(r"/as/token"), "token", _token),
    Route(
        "api",
        "GET",
        re.compile(r"/v4/workspaces/current"),
        "workspaces.current",
        _current_workspace,
    ),
    Route(
        "gateway",
        "GET",
        re.compile(r"/iam/v1/workspaces/current"),
        "gateway.workspaces.current",
        _gateway_workspace,
    ),
    Route(
        "api", "GET", re.compile(r"/v4/schedules"), "schedules.list", _list_schedules
    ),
    Route(
        "api",
        "GET",
        re.compile(r"/v4/schedules/count"),
        "schedules.count",
        _count_schedules,
    ),
    Route("api", "GET", re.compile(_ID), "schedules.get", _get_schedule),
    Route(
        "api", "POST", re.compile(_ID + "/enable"), "schedules.enable", _setter(True)
    ),
    Route(
        "api", "POST", re.compile(_ID + "/disable"), "schedules.disable", _setter(False)
    ),
    Route("api", "DELETE", re.compile(_ID), "schedules.delete", _delete_schedule),
)


def _route(request: SimRequest) -> tuple[Route, dict] | None:
    path = request.path.rstrip("/") or "/"
    for route in ROUTES:
        if route.surface != request.surface or route.method != request.method:
            continue
        match = route.pattern.fullmatch(path)
        if match:
            return route, match.groupdict()
    return None


def handle(sim: Simulator, request: SimRequest) -> Reply:
    """Answer one request the way AAC would, with any due faults applied."""
    if request.surface == "api" and request.path.startswith("/_sim/"):
        return control.handle(sim, request)
    found = _route(request)
    if found is None:
        return _with_request_id(
            v4_error(404, "RouteNotFoundException", "This route does not exist")
        )
    route, params = found
    is_token = route.endpoint == "token"
    caller, workspace_id = _identify(sim, request, is_token)
    sim.stats.count_request(workspace_id, route.endpoint)

    faults = sim.faults.fire(workspace_id, route.endpoint)
    delay = sum(f.seconds or 0 for f in faults if f.kind == "latency")
    if delay:
        time.sleep(delay)
    for fault in faults:
        if fault.kind == "mutate" and workspace_id is not None:
            sim.remove_schedules(workspace_id, fault.remove)
            sim.add_schedules(workspace_id, fault.add)
    effect = next((f for f in faults if f.kind not in ("latency", "mutate")), None)
    if effect is not None and effect.kind in ANSWERING:
        response = _answer(effect, is_token)
        return response if effect.kind == "html" else _with_request_id(response)

    response = _act(sim, request, route, caller, params)
    if not is_token:
        response = _with_request_id(response)
    return response if effect is None else _break(effect, response)


def _identify(sim: Simulator, request: SimRequest, is_token: bool):
    """The caller (None on the token server) and the workspace id faults and
    stats are counted against: the refresh token's or the access token's."""
    if is_token:
        form = parse_qs(request.body.decode("utf-8", "replace"))
        return None, sim.refresh_token_workspace(form.get("refresh_token", [""])[0])
    token = request.bearer()
    caller = sim.authenticate(token) if token else None
    return caller, caller.workspace.id if caller else None


def _act(sim, request, route: Route, caller, params: dict) -> SimResponse:
    if route.surface == "gateway" and not sim.knows_project(
        request.headers.get("x-api-project-id", "")
    ):
        return _INVALID_API_KEY
    if route.endpoint != "token" and caller is None:
        return SimResponse(
            _UNAUTHENTICATED.status,
            _UNAUTHENTICATED.body,
            {**_UNAUTHENTICATED.headers, "WWW-Authenticate": "Bearer"},
        )
    schedule_id = None
    if "id" in params:
        if not re.fullmatch(r"[0-9]+", params["id"]):
            return _invalid("id must be an integer")
        schedule_id = int(params["id"])
    return route.handler(sim, request, caller, schedule_id)


def _with_request_id(response: SimResponse) -> SimResponse:
    headers = {**response.headers, REQUEST_ID: uuid.uuid4().hex}
    return SimResponse(response.status, response.body, headers)


def _answer(fault: Fault, is_token: bool) -> SimResponse:
    """The response a faulty AAC (or what stands in front of it) gives instead."""
    if fault.kind == "html":
        headers = {"Content-Type": "text/html; charset=utf-8"}
        return SimResponse(fault.status or 200, _HTML.encode(), headers)
    status = 429 if fault.kind == "rate_limit" else fault.status
    retry_after = fault.retry_after
    if fault.kind == "rate_limit" and retry_after is None:
        retry_after = 1
    headers = {}
    if retry_after is not None:
        headers["x-retry-after"] = f"{retry_after:g}"
    if status == 429:
        reset = f"{retry_after:g}"
        for scope, limit in RATE_LIMIT.items():
            headers[f"x-rate-limit-{scope}-limit"] = str(limit)
            headers[f"x-rate-limit-{scope}-remaining"] = "0"
            headers[f"x-rate-limit-{scope}-reset"] = reset
    if is_token:
        error = "temporarily_unavailable" if status >= 500 else "invalid_request"
        response = _oauth_error(error, f"Simulated HTTP {status}.", status)
    else:
        name = _EXCEPTION_NAMES.get(status, "InternalServerError")
        response = v4_error(status, name, f"Simulated HTTP {status}")
    return SimResponse(response.status, response.body, {**response.headers, **headers})


def _break(fault: Fault, response: SimResponse) -> Reply:
    """Spoil an answer the service already acted on."""
    if fault.kind == "timeout":
        return Hang(fault.seconds or 0, response)
    if fault.kind == "drop":
        return Drop()
    if fault.kind == "malformed_json":
        body = response.body[: max(len(response.body) // 2, 1)]
        return SimResponse(response.status, body, response.headers)
    try:
        value = json.loads(response.body)
    except ValueError:
        return response
    if not isinstance(value, dict):
        return response
    if fault.kind == "missing_data":
        value = {k: v for k, v in value.items() if k == "count"}
    else:
        value = _wrong_types(value)
        if isinstance(value.get("data"), list):
            value["data"] = [_wrong_types(item) for item in value["data"]]
    return SimResponse(response.status, dumps(value), response.headers)


def _wrong_types(value):
    """Swap the types of an object's scalar fields: numbers become text, text
    becomes numbers, booleans become strings."""
    if not isinstance(value, dict):
        return value
    swapped = {}
    for key, item in value.items():
        if isinstance(item, bool):
            item = str(item).lower()
        elif isinstance(item, int | float):
            item = f"{item}!"
        elif isinstance(item, str):
            item = len(item)
        swapped[key] = item
    return swapped
