"""Run now: start a plan, flow or workflow in AAC once per press, then follow it.

The confirmation form carries an execution id made when it was rendered
(docs/reliability.md rule 7); the POST keeps it on a `RunRequest` (unique),
and the task sends it as `x-execution-id`, so a form sent twice, a retried
call after a lost answer or a task delivered again never starts a second
run: AAC answers the repeat with 304 (docs/aac-api.md, Conventions of the
v4 API). AAC does not say which run the first call started, so the portal
looks for it in the job library: the API run of that asset by that
connection's person created since the press. The database allows one
unstarted request per asset, so two operators pressing at once start one.
The run is then followed (`follow`) until AAC says it ended; a quota answer
(429) is shown as AAC's limit and when to try again, never retried blindly.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from aac import AACClient
from aac.errors import AACError, RateLimited, Unavailable
from aac.results import (
    AlreadyStarted,
    FlowRunStarted,
    PlanRunStarted,
    RunRecord,
    WorkflowRunStarted,
)
from actions.aac_calls import ActionFailed
from actions.models import RunRequest
from actions.publish import publish
from activity.log import record
from activity.models import Action, Outcome
from schedules.assets.models import ASSET_MODELS
from schedules.models import Schedule, SyncRun
from schedules.queueing import QueueError, queue_sync
from workspaces.acting import NoConnection, Purpose, choose_connection
from workspaces.connection import call_aac
from workspaces.models import Connection, Workspace
from workspaces.tokens.problems import TokenProblem

logger = logging.getLogger(__name__)

Status = RunRequest.Status
START_TASK = "actions.tasks.start_run"
FOLLOW_TASK = "actions.tasks.follow_run"
# A press whose start AAC never answered is given up after this long.
START_GIVE_UP = timedelta(minutes=10)
# A run is read every two seconds for this long after it started, then less often.
FOLLOW_CLOSELY = timedelta(minutes=2)
# The job library is searched from this long before the press.
LOOKUP_MARGIN = timedelta(minutes=2)
AAC_STATES = {
    "Created": Status.STARTED,
    "InProgress": Status.RUNNING,
    "Complete": Status.COMPLETE,
    "Failed": Status.FAILED,
    "Canceled": Status.CANCELED,
}


@dataclass(frozen=True)
class Target:
    """What a press would run: an asset of a workspace, as the cache knows it."""

    workspace: Workspace
    kind: str
    aac_id: str
    name: str
    owner_id: str
    seen_by: int
    owner_label: str = ""
    schedule_aac_id: int | None = None
    # Why the portal cannot start it, when it cannot: no button then.
    refusal: str = ""


class AlreadyPressed(Exception):
    """Someone's press of this asset is still starting; `request` is theirs."""

    def __init__(self, request: RunRequest) -> None:
        super().__init__(f"Run {request.pk} of this asset is starting")
        self.request = request


def target_of_schedule(schedule: Schedule) -> Target:
    """The asset a schedule's task runs; a kind the portal cannot start says why."""
    kind = schedule.task_kind
    common = {
        "workspace": schedule.workspace,
        "kind": kind,
        "aac_id": schedule.target_id,
        "name": schedule.target_name,
        "owner_id": schedule.owner_id,
        "seen_by": schedule.seen_by,
        "owner_label": schedule.owner_name or schedule.owner_email,
        "schedule_aac_id": schedule.aac_id,
    }
    if kind not in ASSET_MODELS:
        label = schedule.get_task_kind_display().lower()
        return Target(
            **common,
            refusal=f"AAC's API has no call that starts a {label} task; run it in AAC.",
        )
    if not schedule.target_id:
        return Target(**common, refusal="AAC's schedule names no asset to run.")
    asset = (
        ASSET_MODELS[kind]
        .objects.filter(workspace=schedule.workspace, aac_id=schedule.target_id)
        .first()
    )
    if asset is not None:
        return target_of_asset(asset, schedule_aac_id=schedule.aac_id)
    return Target(**common)


def target_of_asset(asset, *, schedule_aac_id: int | None = None) -> Target:
    refusal = ""
    if getattr(asset, "workflow_type", "") == "DESKTOP":
        refusal = (
            "A Desktop workflow runs in Designer Desktop; AAC's workflow service "
            "starts only cloud workflows."
        )
    return Target(
        workspace=asset.workspace,
        kind=asset.kind,
        aac_id=str(asset.aac_id),
        name=asset.name,
        owner_id=str(asset.owner_aac_id or ""),
        seen_by=asset.seen_by,
        schedule_aac_id=schedule_aac_id,
        refusal=refusal,
    )


def target_of(workspace: Workspace, kind: str, aac_id: str) -> Target:
    """What "Run now" on a schedule, plan, flow or workflow of the workspace
    runs, by its AAC id as a URL carries it; Http404 when there is none."""
    if kind == "schedule":
        schedule = (
            Schedule.objects.filter(workspace=workspace, aac_id=_number(aac_id))
            .select_related("workspace")
            .first()
        )
        if schedule is None:
            raise Http404("No such schedule")
        return target_of_schedule(schedule)
    if kind not in ASSET_MODELS:
        raise Http404("No such kind")
    key = aac_id if kind == "workflow" else _number(aac_id)
    asset = (
        ASSET_MODELS[kind]
        .objects.filter(workspace=workspace, aac_id=key)
        .select_related("workspace")
        .first()
    )
    if asset is None:
        raise Http404(f"No such {kind}")
    return target_of_asset(asset)


def _number(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Http404("Not an AAC id")
    return int(value)


def connection_for(target: Target) -> Connection:
    """The connection a press would run it through; NoConnection says why not."""
    return choose_connection(
        target.workspace,
        purpose=Purpose.RUN,
        owner_id=target.owner_id,
        seen_by=target.seen_by,
        owner_label=target.owner_label,
    )


def new_execution_id() -> str:
    """Made when the confirmation form is rendered: one per press."""
    return f"aacportal-{uuid.uuid4().hex}"


def request_run(*, actor, target: Target, execution_id: str) -> RunRequest:
    """Queue the run of `target` for the press that carried `execution_id`.

    The same form sent again answers the request it made; AlreadyPressed when
    someone else's press of the asset has not started yet.
    """
    existing = RunRequest.objects.filter(execution_id=execution_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            run = RunRequest.objects.create(
                workspace=target.workspace,
                execution_id=execution_id,
                asset_kind=target.kind,
                asset_aac_id=target.aac_id,
                asset_name=target.name,
                schedule_aac_id=target.schedule_aac_id,
                requested_by=actor,
                requested_by_name=actor.get_username(),
            )
    except IntegrityError:
        again = RunRequest.objects.filter(execution_id=execution_id).first()
        if again is not None:
            return again
        raise AlreadyPressed(_unstarted(target)) from None
    _record(run, Outcome.QUEUED, "Queued.")
    publish(START_TASK, run.pk, on_failure=lambda: _not_queued(run))
    return run


def _unstarted(target: Target) -> RunRequest:
    return RunRequest.objects.get(
        workspace=target.workspace,
        asset_kind=target.kind,
        asset_aac_id=target.aac_id,
        status__in=RunRequest.UNSTARTED_STATES,
    )


def _not_queued(run: RunRequest) -> None:
    _finish(run, Status.FAILED, "Not started: the background queue is unavailable.")


def start(run_id: int) -> bool:
    """Start the run in AAC; True when it is to be followed."""
    run = _claim(run_id)
    if run is None:
        return False
    if timezone.now() - run.created_at > START_GIVE_UP:
        _finish(
            run,
            Status.FAILED,
            "AAC never answered the run call; the run may have started: see the "
            "run history.",
        )
        return False
    try:
        connection = _connection(run)
        started = _call_start(connection, run)
    except ActionFailed as exc:
        _finish(run, Status.FAILED, exc.message, request_id=exc.request_id)
        return False
    except RateLimited as exc:
        _quota_refusal(run, exc)
        return False
    if started is None:
        return False
    return _started(run, connection, started)


def _claim(run_id: int) -> RunRequest | None:
    """queued -> starting, or take over a starting one (the same execution id
    makes a repeated call harmless)."""
    claimed = RunRequest.objects.filter(
        pk=run_id, status__in=RunRequest.UNSTARTED_STATES
    ).update(status=Status.STARTING, claimed_at=timezone.now())
    if not claimed:
        return None
    return RunRequest.objects.select_related("workspace", "requested_by").get(pk=run_id)


def _connection(run: RunRequest) -> Connection:
    kind_model = ASSET_MODELS.get(run.asset_kind)
    asset = None
    if kind_model is not None:
        asset = kind_model.objects.filter(
            workspace=run.workspace, aac_id=run.asset_aac_id
        ).first()
    schedule = None
    if asset is None and run.schedule_aac_id is not None:
        schedule = Schedule.objects.filter(
            workspace=run.workspace, aac_id=run.schedule_aac_id
        ).first()
    if asset is None and schedule is None:
        raise ActionFailed("The portal no longer has it (deleted in AAC?).")
    target = (
        target_of_asset(asset) if asset is not None else target_of_schedule(schedule)
    )
    if target.refusal:
        raise ActionFailed(target.refusal)
    try:
        connection = connection_for(target)
    except NoConnection as exc:
        raise ActionFailed(exc.message) from None
    RunRequest.objects.filter(pk=run.pk).update(
        connection=connection, connection_name=connection.person
    )
    return connection


def _call_start(connection: Connection, run: RunRequest):
    """The run call; repeated once with the same execution id when its answer
    was lost (AAC starts nothing twice). None when even that answer was lost:
    the sweep calls again later."""
    call = _start_call(run)
    for attempt in (1, 2):
        try:
            return call_aac(connection, call)
        except Unavailable as exc:
            logger.info("Run %s: start attempt %s lost: %s", run.pk, attempt, exc)
            last = exc
        except TokenProblem as exc:
            raise ActionFailed(f"{connection.person}: {exc.message}") from None
        except RateLimited:
            raise
        except AACError as exc:
            raise ActionFailed(
                f"AAC did not start it: {exc.message}", request_id=exc.request_id
            ) from None
    RunRequest.objects.filter(pk=run.pk).update(
        message=f"AAC did not answer ({last.message}); trying again."
    )
    return None


def _start_call(run: RunRequest):
    execution_id, aac_id = run.execution_id, run.asset_aac_id
    if run.asset_kind == "plan":
        return lambda c: c.run_plan(int(aac_id), execution_id=execution_id)
    if run.asset_kind == "flow":
        return lambda c: c.run_flow(int(aac_id), execution_id=execution_id)
    return lambda c: c.run_workflow(aac_id, execution_id=execution_id)


def _started(run: RunRequest, connection: Connection, started) -> bool:
    request_id = started.request_id or ""
    if isinstance(started, PlanRunStarted) and not started.started:
        _finish(
            run,
            Status.FAILED,
            f"AAC did not start it: the plan's validation says "
            f"{started.validation_status}.",
            request_id=request_id,
        )
        return False
    if isinstance(started, AlreadyStarted):
        ids = _look_up(connection, run)
        message = (
            "AAC says this press already started a run (the same execution id); "
            "following that one."
        )
    else:
        ids = _ids(started)
        message = "Started in AAC."
    run_id, job_group_id = ids
    moved = RunRequest.objects.filter(pk=run.pk, status=Status.STARTING).update(
        status=Status.STARTED,
        aac_run_id=run_id,
        aac_job_group_id=job_group_id,
        aac_request_id=request_id,
        started_at=timezone.now(),
        message=message,
    )
    if moved:
        run.refresh_from_db()
        _record(run, Outcome.SUCCEEDED, message)
    return bool(moved)


def _ids(started) -> tuple[int | None, int | None]:
    if isinstance(started, PlanRunStarted):
        return started.plan_snapshot_run_id, None
    if isinstance(started, FlowRunStarted):
        return started.flow_run_id, next(iter(started.job_group_ids), None)
    if isinstance(started, WorkflowRunStarted):
        return started.job_id, started.job_group_id
    return None, None


def _look_up(connection: Connection, run: RunRequest) -> tuple[int | None, int | None]:
    """The run an earlier call with this execution id started: the newest API
    run of the asset by the connection's person since the press."""
    since = run.created_at - LOOKUP_MARGIN

    def find(client: AACClient):
        pages = client.iter_job_library_pages(
            ranfrom="api",
            ranfor=run.asset_kind,
            run_by=connection.aac_person_id or None,
            created_since=since,
            sort="-createdAt",
        )
        # The newest first: the first page holds it, if AAC has it yet.
        for item in next(pages, []):
            asset = item.get(run.asset_kind) or {}
            if str(asset.get("id")) == run.asset_aac_id:
                return _linked_run_id(item), item["id"]
        return None, None

    try:
        return call_aac(connection, find)
    except (AACError, TokenProblem) as exc:
        logger.warning("Run %s: could not look its run up: %s", run.pk, exc)
        return None, None


def _linked_run_id(item: dict) -> int | None:
    for link in ("planSnapshotRun", "flowRun"):
        if isinstance(item.get(link), dict):
            return item[link].get("id")
    return item.get("jobId")


def _quota_refusal(run: RunRequest, exc: RateLimited) -> None:
    exhausted = exc.limits.exhausted
    quota = exhausted[1] if exhausted else None
    retry_at = quota.reset_at if quota and quota.reset_at else None
    if retry_at is None:
        retry_at = datetime.now(UTC) + timedelta(seconds=exc.retry_after or 60)
    limit = quota.limit if quota else None
    allows = (
        f"AAC allows {limit} runs per minute" if limit else "AAC's run quota is spent"
    )
    message = f"{allows}; try again at {retry_at:%H:%M} UTC."
    RunRequest.objects.filter(pk=run.pk).update(quota=limit, retry_at=retry_at)
    _finish(run, Status.FAILED, message, request_id=exc.request_id)


def next_look(run_id: int) -> float:
    """Seconds until the run is read again: often while it is young, since the
    page shows it live, then less often for a long run."""
    started = (
        RunRequest.objects.filter(pk=run_id)
        .values_list("started_at", flat=True)
        .first()
    )
    young = started is None or timezone.now() - started < FOLLOW_CLOSELY
    return 2.0 if young else 15.0


def follow(run_id: int) -> bool:
    """Read the run's status from AAC; True while it is still to be followed."""
    run = (
        RunRequest.objects.filter(pk=run_id, status__in=RunRequest.FOLLOWED_STATES)
        .select_related("workspace", "connection", "requested_by")
        .first()
    )
    if run is None:
        return False
    if run.connection is None:
        _finish(run, Status.FAILED, "Its connection was removed; see the run history.")
        return False
    if run.aac_run_id is None and run.aac_job_group_id is None:
        return _look_up_again(run)
    try:
        record_ = call_aac(run.connection, _status_call(run))
    except (AACError, TokenProblem) as exc:
        logger.info("Run %s: status not read: %s", run.pk, exc)
        RunRequest.objects.filter(pk=run.pk).update(checked_at=timezone.now())
        return True
    return _apply_status(run, record_)


def _status_call(run: RunRequest):
    if run.aac_job_group_id is not None:
        return lambda c: c.get_job_group(run.aac_job_group_id)
    if run.asset_kind == "flow":
        return lambda c: c.get_flow_run(run.aac_run_id)
    return lambda c: c.get_plan_snapshot_run(run.aac_run_id)


def _look_up_again(run: RunRequest) -> bool:
    run_id, job_group_id = _look_up(run.connection, run)
    now = timezone.now()
    if run_id is None and job_group_id is None:
        if now - run.created_at > START_GIVE_UP:
            _finish(
                run,
                Status.FAILED,
                "AAC started it but the portal could not find which run; see the "
                "run history.",
            )
            return False
        RunRequest.objects.filter(pk=run.pk).update(checked_at=now)
        return True
    RunRequest.objects.filter(pk=run.pk).update(
        aac_run_id=run_id, aac_job_group_id=job_group_id, checked_at=now
    )
    return True


def _apply_status(run: RunRequest, found: RunRecord) -> bool:
    status = AAC_STATES.get(found.status or "", Status.RUNNING)
    now = timezone.now()
    if status in RunRequest.FOLLOWED_STATES:
        RunRequest.objects.filter(
            pk=run.pk, status__in=RunRequest.FOLLOWED_STATES
        ).update(status=status, aac_status=found.status or "", checked_at=now)
        return True
    error = found.raw.get("errorMessage")
    message = {
        Status.COMPLETE: "Complete.",
        Status.CANCELED: "Canceled in AAC.",
    }.get(status, f"Failed: {error}" if isinstance(error, str) and error else "Failed.")
    run.aac_status = found.status or ""
    RunRequest.objects.filter(pk=run.pk).update(aac_status=run.aac_status)
    _finish(run, status, message)
    _bring_into_history(run)
    return False


def _bring_into_history(run: RunRequest) -> None:
    """A sync brings the ended run into the run history (one already under way
    will, or the next beat's)."""
    try:
        queue_sync(
            workspace=run.workspace,
            trigger=SyncRun.Trigger.BUTTON,
            requested_by=run.requested_by,
        )
    except QueueError as exc:
        logger.info("Run %s: no sync queued after it: %s", run.pk, exc.message)


def _finish(
    run: RunRequest, status: str, message: str, *, request_id: str | None = None
) -> None:
    fields = {"status": status, "message": message, "finished_at": timezone.now()}
    if request_id:
        fields["aac_request_id"] = request_id
    moved = RunRequest.objects.filter(
        pk=run.pk, status__in=RunRequest.ACTIVE_STATES
    ).update(**fields)
    if moved:
        run.refresh_from_db()
        outcome = Outcome.SUCCEEDED if status == Status.COMPLETE else Outcome.FAILED
        _record(run, outcome, message)


def _record(run: RunRequest, outcome: str, message: str) -> None:
    record(
        Action.RUN_NOW,
        outcome=outcome,
        user=run.requested_by,
        username=run.requested_by_name,
        workspace=run.workspace,
        target_kind=run.asset_kind,
        target_id=run.asset_aac_id,
        target_name=run.asset_name,
        message=message,
        request_id=run.aac_request_id,
        execution_id=run.execution_id,
    )


def stalled() -> list[tuple[int, str]]:
    """Presses to start again (claimed by a worker that died) and runs to
    follow whose follower went quiet (read less often than `next_look` says)."""
    quiet = timezone.now() - timedelta(seconds=60)
    return list(
        RunRequest.objects.filter(
            Q(status__in=RunRequest.UNSTARTED_STATES, claimed_at__lt=quiet)
            | Q(status=Status.QUEUED, created_at__lt=quiet, claimed_at=None)
            | Q(status__in=RunRequest.FOLLOWED_STATES, checked_at__lt=quiet)
            | Q(
                status__in=RunRequest.FOLLOWED_STATES,
                checked_at=None,
                started_at__lt=quiet,
            )
        ).values_list("pk", "status")
    )
