"""AAC's HTTP surface over the simulator state, independent of any transport.

`handle(sim, request)` routes a `SimRequest` (the API host, which also serves
the token server, the workflow service and the `/_sim` control API, or the
gateway host) and returns what the transport must do: send a `SimResponse`,
`Drop` the connection, or `Hang` and then send. Faults are applied here, so
the real HTTP server and the `responses` adapter behave the same. Each API
family's routes live in its own module.

Every v4 answer carries an `x-trifacta-request-id` (docs/aac-api.md,
Conventions of the v4 API). The 401 body for a bad bearer token is unknown
for the real service; `AuthenticationFailed` (and the workflow service's
`UnauthorizedError`) are guesses.
"""

import json
import time
import uuid
from urllib.parse import parse_qs

from aacsim import control
from aacsim.api import (
    flows,
    identity,
    people,
    plans,
    run_lists,
    runs,
    schedules,
    workflows,
)
from aacsim.api.replies import Refusal, Route, error, v4_error
from aacsim.faults import ANSWERING, Fault
from aacsim.launch import QUOTAS, quota_headers
from aacsim.messages import Drop, Hang, Reply, SimRequest, SimResponse, dumps
from aacsim.state import Simulator

REQUEST_ID = "x-trifacta-request-id"
ROUTES: tuple[Route, ...] = (
    *identity.ROUTES,
    *schedules.ROUTES,
    *people.ROUTES,
    *plans.ROUTES,
    *flows.ROUTES,
    *workflows.ROUTES,
    *runs.ROUTES,
    *run_lists.ROUTES,
)
_RUN_KINDS = {"plans.run": "plan", "flows.run": "flow", "workflows.run": "workflow"}
_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Alteryx Analytics Cloud</title></head>"
    "<body><h1>Sign in</h1><p>Your session has ended.</p></body></html>\n"
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
        response = _answer(effect, route, sim.clock())
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
        return identity.INVALID_API_KEY
    if route.endpoint != "token" and caller is None:
        refused = error(route.dialect, 401, "Invalid or expired access token")
        return SimResponse(
            refused.status,
            refused.body,
            {**refused.headers, "WWW-Authenticate": "Bearer"},
        )
    try:
        return route.handler(sim, request, caller, params)
    except Refusal as refusal:
        return refusal.answer(route.dialect)


def _with_request_id(response: SimResponse) -> SimResponse:
    headers = {**response.headers, REQUEST_ID: uuid.uuid4().hex}
    return SimResponse(response.status, response.body, headers)


def _answer(fault: Fault, route: Route, now: float) -> SimResponse:
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
        # A run endpoint's own quotas; elsewhere the plan runs' (a guess).
        limits = QUOTAS[_RUN_KINDS.get(route.endpoint, "plan")]
        for scope, limit in zip(("user", "workspace"), limits, strict=True):
            headers.update(quota_headers(scope, limit, 0, now + (retry_after or 0)))
    response = error(route.dialect, status, f"Simulated HTTP {status}.")
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
    if fault.kind == "missing_data":
        value = (
            {k: v for k, v in value.items() if k == "count"}
            if isinstance(value, dict)
            else None
        )
    elif isinstance(value, dict):
        value = _wrong_types(value)
        if isinstance(value.get("data"), list):
            value["data"] = [_wrong_types(item) for item in value["data"]]
    else:
        value = _wrong_types({"value": value})["value"]
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
