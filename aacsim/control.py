"""The `/_sim/*` control API: steer a running simulator over HTTP.

No authentication: it is a test tool, bound to 127.0.0.1 by default. Scripts,
the demo and worker processes use it to read the credentials printed at
start-up, mint pairs for any person, switch faults on and off, read the
stats, change schedules, add runs and decide how an asset's next run goes.
"""

import json
import re

from aacsim.faults import Fault
from aacsim.messages import SimRequest, SimResponse
from aacsim.state import Simulator


def _error(status: int, message: str) -> SimResponse:
    return SimResponse.json(status, {"error": message})


def _body(request: SimRequest) -> dict:
    if not request.body:
        return {}
    value = json.loads(request.body)
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value


def _count(body: dict, name: str) -> int:
    value = body.get(name, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer")
    return value


def _workspace_summary(workspace) -> dict:
    return {
        **workspace.as_json(),
        "client_id": workspace.client_id,
        "project_id": workspace.project_id,
        "list_scope": workspace.list_scope,
        "schedules": len(workspace.schedules),
        **{
            f"{kind}s": len(assets) for kind, assets in workspace.assets.by_kind.items()
        },
    }


def _faults(sim: Simulator, request: SimRequest, fault_id: str | None):
    if fault_id is not None:
        if request.method != "DELETE":
            return None
        removed = sim.faults.remove(int(fault_id))
        return SimResponse(204) if removed else _error(404, "no such fault")
    if request.method == "GET":
        return SimResponse.json(200, sim.faults.describe())
    if request.method == "DELETE":
        sim.faults.clear()
        return SimResponse(204)
    if request.method == "POST":
        fault = Fault(**_body(request))
        return SimResponse.json(201, {"id": sim.faults.add(fault)})
    return None


def _schedules(sim: Simulator, workspace_id: int, body: dict) -> SimResponse:
    add, remove, touch = (_count(body, name) for name in ("add", "remove", "touch"))
    with sim.lock:
        removed = sim.remove_schedules(workspace_id, remove)
        added = sim.add_schedules(workspace_id, add)
        touched = sim.touch_schedules(workspace_id, touch)
    return SimResponse.json(
        200,
        {"added": [s["id"] for s in added], "removed": removed, "touched": touched},
    )


def _add_workspace(sim: Simulator, body: dict) -> SimResponse:
    history_days = body.get("history_days")
    workspace = sim.add_workspace(
        name=str(body.get("name") or "Simulated workspace"),
        schedules=_count(body, "schedules"),
        people=_count(body, "people") or 20,
        list_scope=body.get("list_scope"),
        history_days=None if history_days is None else _count(body, "history_days"),
    )
    sim.new_token_pair(workspace.id)
    return SimResponse.json(201, sim.credentials()[-1])


def _tokens(sim: Simulator, workspace_id: int, body: dict) -> SimResponse:
    person = body.get("person")
    if person is not None and (not isinstance(person, int) or isinstance(person, bool)):
        raise ValueError("person must be a person id")
    sim.new_token_pair(workspace_id, person_id=person)
    return SimResponse.json(201, sim.credentials()[-1])


def _runs(sim: Simulator, workspace_id: int, body: dict) -> SimResponse:
    added = _count(body, "add")
    total = sim.add_runs(workspace_id, added) if added else sim.run_count(workspace_id)
    return SimResponse.json(200, {"runs": total})


def _next_run(sim: Simulator, workspace_id: int, body: dict) -> SimResponse:
    options = {
        k: body[k] for k in ("status", "message", "duration", "queued") if k in body
    }
    sim.set_next_run(workspace_id, str(body.get("kind")), body.get("id"), **options)
    return SimResponse(204)


_WORKSPACE_ACTIONS = {
    "schedules": _schedules,
    "tokens": _tokens,
    "runs": _runs,
    "next-run": _next_run,
}


def _workspaces(sim: Simulator, request: SimRequest, rest: str | None):
    if rest is None:
        if request.method == "GET":
            return SimResponse.json(
                200, [_workspace_summary(ws) for ws in sim.workspaces]
            )
        if request.method == "POST":
            return _add_workspace(sim, _body(request))
        return None
    match = re.fullmatch(r"(\d+)/([\w-]+)", rest)
    if match is None or match[2] not in _WORKSPACE_ACTIONS or request.method != "POST":
        return None
    try:
        sim.workspace(int(match[1]))
        return _WORKSPACE_ACTIONS[match[2]](sim, int(match[1]), _body(request))
    except LookupError as exc:
        return _error(404, str(exc))


def handle(sim: Simulator, request: SimRequest) -> SimResponse:
    path = request.path.rstrip("/")
    try:
        response = _dispatch(sim, request, path)
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))
    return response or _error(404, f"no control endpoint {request.method} {path}")


def _dispatch(sim: Simulator, request: SimRequest, path: str):
    match = re.fullmatch(r"/_sim/(\w+)(?:/(.+))?", path)
    if match is None:
        return None
    section, rest = match[1], match[2]
    if section == "faults" and (rest is None or rest.isdigit()):
        return _faults(sim, request, rest)
    if section == "workspaces":
        return _workspaces(sim, request, rest)
    if rest is not None:
        return None
    if (section, request.method) == ("health", "GET"):
        return SimResponse.json(200, {"ok": True, "workspaces": len(sim.workspaces)})
    if (section, request.method) == ("credentials", "GET"):
        return SimResponse.json(
            200, {"issuer": sim.issuer, "credentials": sim.credentials()}
        )
    if (section, request.method) == ("stats", "GET"):
        return SimResponse.json(200, sim.stats.snapshot())
    if (section, request.method) == ("stats", "DELETE"):
        sim.stats.reset()
        return SimResponse(204)
    return None
