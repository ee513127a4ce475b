"""Plans: list (`ownershipFilter`), count, the full plan, and running one.

docs/aac-api.md, Plans flows workflows and their runs: `GET /v4/plans`
(`ownershipFilter=all|shared|owned`, by default only the caller's own),
`GET /v4/plans/count` (the same filter, a guess), a plan with its
`latestPlanSnapshotRun`; `POST /v4/plans/{id}/run` answers
`{"validationStatus": "Valid", "planSnapshotRunId": N}`, or
`"MissingFlowReferences"` (and no run, a guess) for a plan whose task points
at a deleted flow. `/full` adds `tasks`, each with its `flow {id, name}` (a
guess at the shape).
"""

from aacsim.api.assets import asset_json, asset_page, owned_or_shared
from aacsim.api.replies import int_id, not_found, route
from aacsim.api.runs import run_json
from aacsim.api.starting import start
from aacsim.messages import SimResponse


def _plan_json(workspace, now: float):
    def encode(plan) -> dict:
        latest = workspace.runs.latest.get(plan.serial)
        return {
            **asset_json(plan, workspace.id),
            "latestPlanSnapshotRun": latest and run_json(workspace.runs, latest, now),
        }

    return encode


def _list(sim, request, caller, params) -> SimResponse:
    with sim.lock:
        sim.catch_up(caller.workspace)
        encode = _plan_json(caller.workspace, sim.clock())
        return asset_page(request, owned_or_shared(request, caller, "plan"), encode)


def _count(sim, request, caller, params) -> SimResponse:
    with sim.lock:
        plans = owned_or_shared(request, caller, "plan")
        return SimResponse.json(200, {"count": len(plans)})


def _plan(caller, params):
    plan_id = int_id(params["id"])
    plan = caller.workspace.assets.get("plan", plan_id)
    if plan is None or not caller.workspace.sees(plan, caller.person_id):
        raise not_found(f"Plan with id {plan_id}")
    return plan


def _full(sim, request, caller, params) -> SimResponse:
    with sim.lock:
        workspace = caller.workspace
        plan = _plan(caller, params)
        sim.catch_up(workspace)
        flows = workspace.assets.by_kind["flow"]
        tasks = [
            {
                "id": plan.serial * 10 + number,
                "type": "flow",
                "flow": {"id": flow_id, "name": flows[flow_id].name}
                if flow_id in flows
                else {"id": flow_id},
            }
            for number, flow_id in enumerate(plan.flow_ids, start=1)
        ]
        body = {**_plan_json(workspace, sim.clock())(plan), "tasks": tasks}
    return SimResponse.json(200, body)


def _run(sim, request, caller, params) -> SimResponse:
    with sim.lock:
        plan = _plan(caller, params)
        if caller.workspace.assets.missing_flows(plan):
            return SimResponse.json(200, {"validationStatus": "MissingFlowReferences"})
    return start(
        sim,
        request,
        caller,
        plan,
        lambda store, run, now: {
            "validationStatus": "Valid",
            "planSnapshotRunId": store.run_id(run),
        },
    )


ROUTES = (
    route("GET", r"/v4/plans", "plans.list", _list),
    route("GET", r"/v4/plans/count", "plans.count", _count),
    route("GET", r"/v4/plans/(?P<id>[^/]+)/full", "plans.full", _full),
    route("POST", r"/v4/plans/(?P<id>[^/]+)/run", "plans.run", _run),
)
