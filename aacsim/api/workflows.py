"""Cloud-native workflows: the v4 list, the workflow service's, and running one.

docs/aac-api.md, Plans flows workflows and their runs: `GET /v4/workflows`
always returns `count` and has no `/v4/workflows/{id}`; `POST
/svc-workflow/api/v1/workflows/{id}/run` answers `{"jobId", "jobStatus",
"jobgroupId"}`, and that service's errors are `{"kind": "NotFoundError" |
"BadRequestError", "message"}`; its list takes `limit` (default 10). Guesses:
the service's list has the v4 shape; a DESKTOP workflow cannot be run there
(400 `BadRequestError`).
"""

import re

from aacsim.api.assets import asset_json, asset_page
from aacsim.api.replies import DEFAULT_LIMIT, Refusal, route, service_error
from aacsim.api.starting import start
from aacsim.messages import SimResponse

_ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


SERVICE_DEFAULT_LIMIT = 10


def _lister(*, always_count: bool, default_limit: int = DEFAULT_LIMIT):
    def list_workflows(sim, request, caller, params) -> SimResponse:
        workspace = caller.workspace
        with sim.lock:
            workflows = workspace.visible_assets("workflow", caller.person_id)
            return asset_page(
                request,
                workflows,
                lambda w: asset_json(w, workspace.id),
                always_count=always_count,
                default_limit=default_limit,
            )

    return list_workflows


def _run(sim, request, caller, params) -> SimResponse:
    workflow_id = params["id"]
    if not _ULID.fullmatch(workflow_id):
        raise Refusal(
            service_error(400, "BadRequestError", "workflowId must be a ULID")
        )
    with sim.lock:
        workflow = caller.workspace.assets.get("workflow", workflow_id)
        if workflow is None or not caller.workspace.sees(workflow, caller.person_id):
            raise Refusal(
                service_error(404, "NotFoundError", f"Workflow {workflow_id} not found")
            )
    if workflow.workflow_type != "CLOUD":
        raise Refusal(
            service_error(
                400,
                "BadRequestError",
                f"Workflow {workflow_id} is a DESKTOP workflow and cannot run here",
            )
        )
    return start(
        sim,
        request,
        caller,
        workflow,
        lambda store, run, now: {
            "jobId": store.run_id(run),
            "jobStatus": run.status(now),
            "jobgroupId": store.job_group_id(run),
        },
        status=200,
        dialect="service",
    )


_SERVICE = r"/svc-workflow/api/v1/workflows"
ROUTES = (
    route("GET", r"/v4/workflows", "workflows.list", _lister(always_count=True)),
    route(
        "GET",
        _SERVICE,
        "workflows.service.list",
        _lister(always_count=False, default_limit=SERVICE_DEFAULT_LIMIT),
        dialect="service",
    ),
    route(
        "POST",
        _SERVICE + r"/(?P<id>[^/]+)/run",
        "workflows.run",
        _run,
        dialect="service",
    ),
)
