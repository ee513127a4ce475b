"""The typed answers the portal acts on: runs started, and runs as AAC reports them.

Lists stay raw item dicts (the portal's sync parses them); these are the
single answers a button or a follow-up poll decides on. Each carries AAC's
`x-trifacta-request-id`, so the activity log can name the exact call.
"""

from dataclasses import dataclass, field
from datetime import datetime

# docs/aac-api.md, Plans flows workflows and their runs: a run moves Created ->
# InProgress -> Complete | Failed | Canceled. Other values are kept as AAC
# sends them and count as not finished.
FINISHED_STATUSES = frozenset({"Complete", "Failed", "Canceled"})


@dataclass(frozen=True)
class ScheduleChanged:
    """`POST /v4/schedules/{id}/enable` or `/disable` answered the schedule as
    it now is (a raw dict with an int `id`)."""

    schedule: dict = field(repr=False)
    request_id: str | None

    @property
    def enabled(self) -> bool | None:
        value = self.schedule.get("enabled")
        return value if isinstance(value, bool) else None


@dataclass(frozen=True)
class AlreadyStarted:
    """AAC answered 304 to a run call: this `x-execution-id` already started a
    run, and no second one was started. AAC does not say which run it was."""

    execution_id: str
    request_id: str | None


@dataclass(frozen=True)
class PlanRunStarted:
    """`POST /v4/plans/{id}/run` accepted the plan.

    `plan_snapshot_run_id` is None when AAC validated the plan without starting
    a run (a `validation_status` other than "Valid", such as
    "MissingFlowReferences").
    """

    validation_status: str
    plan_snapshot_run_id: int | None
    request_id: str | None

    @property
    def started(self) -> bool:
        return self.plan_snapshot_run_id is not None


@dataclass(frozen=True)
class FlowRunStarted:
    """`POST /v4/flows/{id}/run` started a flow run and these job groups."""

    flow_run_id: int
    job_group_ids: tuple[int, ...]
    request_id: str | None


@dataclass(frozen=True)
class WorkflowRunStarted:
    """`POST /svc-workflow/api/v1/workflows/{id}/run` queued a job."""

    job_id: int
    job_status: str
    job_group_id: int
    request_id: str | None


@dataclass(frozen=True)
class RunRecord:
    """One run as AAC reports it: a plan snapshot run, a flow run or a job group.

    Times are aware datetimes, None where AAC did not send them; `raw` is the
    whole answer for fields the portal has not typed.
    """

    id: int
    status: str | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime | None
    request_id: str | None
    raw: dict = field(repr=False, compare=False)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES
