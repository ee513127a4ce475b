"""Flows: the list, and running one.

docs/aac-api.md, Plans flows workflows and their runs: `GET /v4/flows`
(`ownershipFilter` as for plans, a guess);
`POST /v4/flows/{id}/run` with a JSON object body (`{}`) answers
`{"flowRunId": N, "data": [job-group results]}`; each result's `id`,
`reason` and `sessionId` are guesses after Trifacta's job-group answer.
"""

import json
import uuid

from aacsim.api.assets import asset_json, asset_page, owned_or_shared
from aacsim.api.replies import int_id, invalid, not_found, route
from aacsim.api.starting import start
from aacsim.messages import SimResponse


def _list(sim, request, caller, params) -> SimResponse:
    workspace = caller.workspace
    with sim.lock:
        flows = owned_or_shared(request, caller, "flow")
        return asset_page(request, flows, lambda f: asset_json(f, workspace.id))


def _started(store, run, now) -> dict:
    job_group = store.job_group_id(run)
    return {
        "flowRunId": store.run_id(run),
        "data": [
            {
                "id": job_group,
                "reason": "JobStarted",
                "sessionId": str(uuid.UUID(int=job_group, version=4)),
            }
        ],
    }


def _run(sim, request, caller, params) -> SimResponse:
    flow_id = int_id(params["id"])
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    with sim.lock:
        flow = caller.workspace.assets.get("flow", flow_id)
        if flow is None or not caller.workspace.sees(flow, caller.person_id):
            raise not_found(f"Flow with id {flow_id}")
    return start(sim, request, caller, flow, _started)


ROUTES = (
    route("GET", r"/v4/flows", "flows.list", _list),
    route("POST", r"/v4/flows/(?P<id>[^/]+)/run", "flows.run", _run),
)
