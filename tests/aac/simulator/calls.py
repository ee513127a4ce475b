"""Every public call of `AACClient`, as the simulator serves it.

Each entry names the simulator's endpoint (for faults and request counts) and
prepares the call's arguments from a `World`, so one table drives the test
that every call answers over HTTP and the fault tests of every endpoint.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aac import AACClient
from tests.aac.simulator.world import World, first_page


@dataclass(frozen=True)
class Call:
    name: str  # the AACClient method
    endpoint: str  # the simulator's endpoint name
    method: str  # the HTTP method
    args: Callable[[World], tuple] = lambda world: ()

    def __str__(self) -> str:
        return self.name

    def run(self, world: World, client: AACClient | None = None) -> Any:
        """Make the call (a list call fetches its first page)."""
        client = client or world.client
        return first_page(getattr(client, self.name)(*self.args(world)))


def _own_schedule(world: World) -> tuple:
    return (world.schedule_of(world.admin)["id"],)


def _run_of(kind: str) -> Callable[[World], tuple]:
    return lambda world: (world.run_id(world.run_of(kind)),)


def _job_group_of(kind: str) -> Callable[[World], tuple]:
    return lambda world: (world.job_group_id(world.run_of(kind)),)


EVERY_CALL = [
    Call("current_workspace", "workspaces.current", "GET"),
    Call(
        "current_workspace_via_gateway",
        "gateway.workspaces.current",
        "GET",
        lambda world: (world.workspace.project_id,),
    ),
    Call("iter_schedule_pages", "schedules.list", "GET"),
    Call("count_schedules", "schedules.count", "GET"),
    Call("get_schedule", "schedules.get", "GET", _own_schedule),
    Call("enable_schedule", "schedules.enable", "POST", _own_schedule),
    Call("disable_schedule", "schedules.disable", "POST", _own_schedule),
    Call("iter_people_pages", "people.list", "GET"),
    Call("iter_plan_pages", "plans.list", "GET"),
    Call("count_plans", "plans.count", "GET"),
    Call("get_plan_full", "plans.full", "GET", lambda world: (world.plan().id,)),
    Call("run_plan", "plans.run", "POST", lambda world: (world.plan().id,)),
    Call("iter_flow_pages", "flows.list", "GET"),
    Call("run_flow", "flows.run", "POST", lambda world: (world.flow().id,)),
    Call("iter_workflow_pages", "workflows.list", "GET"),
    Call("iter_workflow_service_pages", "workflows.service.list", "GET"),
    Call("run_workflow", "workflows.run", "POST", lambda world: (world.workflow().id,)),
    Call("iter_plan_snapshot_run_pages", "runs.plan.list", "GET"),
    Call("get_plan_snapshot_run", "runs.plan.get", "GET", _run_of("plan")),
    Call(
        "cancel_plan_snapshot_run",
        "runs.plan.cancel",
        "POST",
        lambda world: (world.unfinished_plan_run(),),
    ),
    Call("get_flow_run", "runs.flow.get", "GET", _run_of("flow")),
    Call("get_flow_run_status", "runs.flow.status", "GET", _run_of("flow")),
    Call("get_job_group", "jobGroups.get", "GET", _job_group_of("workflow")),
    Call("get_job_group_status", "jobGroups.status", "GET", _job_group_of("plan")),
    Call("iter_job_library_pages", "jobLibrary.list", "GET"),
    Call(
        "refresh",
        "token",
        "POST",
        lambda world: (world.pair.refresh_token, world.pair.client_id),
    ),
]
# The endpoints that came with runs and assets (people, plans, flows,
# workflows, runs, job groups, the job library), not the older families.
_OLDER_FAMILIES = {"token", "workspaces", "gateway", "schedules"}
NEW_CALLS = [
    call for call in EVERY_CALL if call.endpoint.split(".")[0] not in _OLDER_FAMILIES
]
