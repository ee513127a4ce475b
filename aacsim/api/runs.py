"""Runs one at a time: plan snapshot runs, flow runs, job groups.

docs/aac-api.md, Plans flows workflows and their runs: `GET
/v4/planSnapshotRuns/{id}` (and `/cancel`), `GET /v4/flowRuns/{id}` and
`/status`, `GET /v4/jobGroups/{id}` and `/status`, the last answering a bare
JSON string such as "Complete". Beyond `status`, `createdAt`, `startedAt`,
`finishedAt`, `ranfrom` and `id`, the field names are guesses: `updatedAt`,
`creator {id}` (who ran it), `scheduleId` (the schedule that started it, or
null), `errorMessage` (a failure's message, else null), and what it ran:
`plan`, `flow` or `workflow` `{id, name}`. A job group also says `ranfor`
(the asset kind) and links its run: `planSnapshotRun {id}`, `flowRun {id}`
or `jobId`.
"""

from aacsim import data
from aacsim.api.replies import Refusal, int_id, not_found, route, v4_error
from aacsim.messages import SimResponse
from aacsim.runs import Run, RunStore

_LINKS = {"plan": "planSnapshotRun", "flow": "flowRun"}
_NAMES = {"plan": "PlanSnapshotRun", "flow": "FlowRun"}


def _iso(seconds: float | None) -> str | None:
    return None if seconds is None else data.iso(seconds)


def run_fields(run: Run, now: float) -> dict:
    asset = run.asset
    return {
        "status": run.status(now),
        asset.kind: {"id": asset.id, "name": asset.name},
        "ranfrom": run.ranfrom,
        "scheduleId": run.schedule_id,
        "creator": {"id": run.run_by},
        "createdAt": data.iso(run.created),
        "updatedAt": data.iso(run.updated_at(now)),
        "startedAt": _iso(run.started_at(now)),
        "finishedAt": _iso(run.finished_at(now)),
        "errorMessage": run.error(now),
    }


def run_json(store: RunStore, run: Run, now: float) -> dict:
    """A plan snapshot run or a flow run."""
    item = {"id": store.run_id(run), **run_fields(run, now)}
    if run.asset.kind == "flow":
        item["jobGroups"] = {"data": [{"id": store.job_group_id(run)}]}
    return item


def job_group_json(store: RunStore, run: Run, now: float) -> dict:
    kind = run.asset.kind
    item = {"id": store.job_group_id(run), "ranfor": kind, **run_fields(run, now)}
    if kind in _LINKS:
        item[_LINKS[kind]] = {"id": store.run_id(run)}
    else:
        item["jobId"] = store.run_id(run)
    return item


def _find(sim, caller, params, kind: str | None) -> tuple[RunStore, Run, float]:
    """The caller's run by id (a job group if `kind` is None), made up to now."""
    number = int_id(params["id"])
    workspace = caller.workspace
    sim.catch_up(workspace)
    store = workspace.runs
    run = store.by_job_group(number) if kind is None else store.by_run_id(number, kind)
    if run is None or not workspace.sees_run(run, caller.person_id):
        raise not_found(f"{_NAMES.get(kind, 'JobGroup')} with id {number}")
    return store, run, sim.clock()


def _getter(kind: str | None, *, bare_status: bool = False):
    encode = job_group_json if kind is None else run_json

    def get(sim, request, caller, params) -> SimResponse:
        with sim.lock:
            store, run, now = _find(sim, caller, params, kind)
            body = run.status(now) if bare_status else encode(store, run, now)
        return SimResponse.json(200, body)

    return get


def _cancel(sim, request, caller, params) -> SimResponse:
    with sim.lock:
        store, run, now = _find(sim, caller, params, "plan")
        if not run.cancel(now):
            raise Refusal(
                v4_error(
                    400,
                    "ValidationFailed",
                    f"PlanSnapshotRun {store.run_id(run)} has already finished",
                )
            )
        body = run_json(store, run, now)
    return SimResponse.json(200, body)


ROUTES = (
    route(
        "GET", r"/v4/planSnapshotRuns/(?P<id>[^/]+)", "runs.plan.get", _getter("plan")
    ),
    route(
        "POST",
        r"/v4/planSnapshotRuns/(?P<id>[^/]+)/cancel",
        "runs.plan.cancel",
        _cancel,
    ),
    route("GET", r"/v4/flowRuns/(?P<id>[^/]+)", "runs.flow.get", _getter("flow")),
    route(
        "GET",
        r"/v4/flowRuns/(?P<id>[^/]+)/status",
        "runs.flow.status",
        _getter("flow", bare_status=True),
    ),
    route("GET", r"/v4/jobGroups/(?P<id>[^/]+)", "jobGroups.get", _getter(None)),
    route(
        "GET",
        r"/v4/jobGroups/(?P<id>[^/]+)/status",
        "jobGroups.status",
        _getter(None, bare_status=True),
    ),
)
