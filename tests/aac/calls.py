"""Every remote call of the client, with a good answer, for the tests that must
hold for all of them (timeouts, no retried POST, no token in any error)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.aac.answers import WORKFLOW_ID, WORKSPACE
from tests.aac.conftest import API, GATEWAY, TOKEN_URL
from tests.aac.tokens import REFRESH_TOKEN

PLAN_RUN = {"validationStatus": "Valid", "planSnapshotRunId": 41}
FLOW_RUN = {"flowRunId": 8, "data": [{"id": 80}]}
WORKFLOW_RUN = {"jobId": 9, "jobStatus": "Queued", "jobgroupId": 90}
RUN = {"id": 41, "status": "Complete"}


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    url: str
    answer: Any
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name

    def run(self, client) -> Any:
        """Make the call; a list call fetches its first page."""
        result = getattr(client, self.name)(*self.args, **self.kwargs)
        return next(result) if isinstance(result, Iterator) else result


EVERY_CALL = [
    Call("current_workspace", "GET", f"{API}/v4/workspaces/current", WORKSPACE),
    Call(
        "current_workspace_via_gateway",
        "GET",
        f"{GATEWAY}/iam/v1/workspaces/current",
        WORKSPACE,
        args=("project",),
    ),
    Call("iter_schedule_pages", "GET", f"{API}/v4/schedules", {"data": []}),
    Call("count_schedules", "GET", f"{API}/v4/schedules/count", {"count": 0}),
    Call("get_schedule", "GET", f"{API}/v4/schedules/5", {"id": 5}, args=(5,)),
    Call("enable_schedule", "POST", f"{API}/v4/schedules/5/enable", {"id": 5}, (5,)),
    Call("disable_schedule", "POST", f"{API}/v4/schedules/5/disable", {"id": 5}, (5,)),
    Call("iter_people_pages", "GET", f"{API}/v4/people", {"data": []}),
    Call("iter_plan_pages", "GET", f"{API}/v4/plans", {"data": []}),
    Call("count_plans", "GET", f"{API}/v4/plans/count", {"count": 0}),
    Call("get_plan_full", "GET", f"{API}/v4/plans/3/full", {"id": 3}, args=(3,)),
    Call("run_plan", "POST", f"{API}/v4/plans/3/run", PLAN_RUN, args=(3,)),
    Call("iter_flow_pages", "GET", f"{API}/v4/flows", {"data": []}),
    Call("run_flow", "POST", f"{API}/v4/flows/4/run", FLOW_RUN, args=(4,)),
    Call("iter_workflow_pages", "GET", f"{API}/v4/workflows", {"data": []}),
    Call(
        "iter_workflow_service_pages",
        "GET",
        f"{API}/svc-workflow/api/v1/workflows",
        {"data": []},
    ),
    Call(
        "run_workflow",
        "POST",
        f"{API}/svc-workflow/api/v1/workflows/{WORKFLOW_ID}/run",
        WORKFLOW_RUN,
        args=(WORKFLOW_ID,),
    ),
    Call(
        "iter_plan_snapshot_run_pages",
        "GET",
        f"{API}/v4/planSnapshotRuns",
        {"data": []},
    ),
    Call(
        "get_plan_snapshot_run", "GET", f"{API}/v4/planSnapshotRuns/41", RUN, args=(41,)
    ),
    Call(
        "cancel_plan_snapshot_run",
        "POST",
        f"{API}/v4/planSnapshotRuns/41/cancel",
        {},
        args=(41,),
    ),
    Call("get_flow_run", "GET", f"{API}/v4/flowRuns/8", {"id": 8}, args=(8,)),
    Call("get_flow_run_status", "GET", f"{API}/v4/flowRuns/8/status", "Complete", (8,)),
    Call("get_job_group", "GET", f"{API}/v4/jobGroups/80", {**RUN, "id": 80}, (80,)),
    Call(
        "get_job_group_status",
        "GET",
        f"{API}/v4/jobGroups/80/status",
        "Complete",
        (80,),
    ),
    Call("iter_job_library_pages", "GET", f"{API}/v4/jobLibrary", {"data": []}),
    Call(
        "refresh",
        "POST",
        TOKEN_URL,
        {"access_token": "new"},
        args=(REFRESH_TOKEN, "portal-client"),
    ),
]
API_POSTS = [
    call for call in EVERY_CALL if call.method == "POST" and call.url != TOKEN_URL
]
