"""Rules read off the run history: failing schedules, runs that did not happen,
runs far longer than usual."""

from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast

from attention.detectors.schedules import TIME_BASED, enabled_schedules
from attention.hits import Hit
from attention.rules import Rule
from schedules.assets.models import RunStatus
from schedules.models import Run, TaskKind
from schedules.parse import next_run_at
from workspaces.models import Workspace

# What AAC's job library lists runs of: other tasks (reports) leave no run.
RUN_KINDS = (TaskKind.PLAN, TaskKind.FLOW, TaskKind.WORKFLOW)


def failing_schedule(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """Schedules whose runs since their last complete one are all failures, at
    least `runs` of them: one GROUP BY over the failed runs after each
    schedule's last complete run (a correlated subquery on `run_schedule`)."""
    last_complete = Run.objects.filter(
        workspace=workspace,
        schedule_aac_id=OuterRef("schedule_aac_id"),
        status=RunStatus.COMPLETE,
    ).order_by("-aac_created_at")
    streaks = (
        Run.objects.filter(
            workspace=workspace, schedule_aac_id__isnull=False, status=RunStatus.FAILED
        )
        .annotate(last_ok=Subquery(last_complete.values("aac_created_at")[:1]))
        .filter(Q(last_ok__isnull=True) | Q(aac_created_at__gt=F("last_ok")))
        .values("schedule_aac_id")
        .annotate(failed=Count("id"), first=Min("aac_created_at"), last=Max("aac_id"))
        .filter(failed__gte=rule["runs"])
    )
    streak = {row["schedule_aac_id"]: row for row in streaks}
    schedules = enabled_schedules(workspace).filter(aac_id__in=list(streak))
    errors = dict(
        Run.objects.filter(
            workspace=workspace, aac_id__in=[row["last"] for row in streak.values()]
        ).values_list("schedule_aac_id", "error_message")
    )
    return [
        Hit(
            str(aac_id),
            name,
            f"Its last {streak[aac_id]['failed']} runs failed"
            + (f"; the latest: {errors[aac_id][:300]}" if errors.get(aac_id) else "."),
            since=streak[aac_id]["first"],
            data={"last_run": streak[aac_id]["last"]},
        )
        for aac_id, name in schedules.values_list("aac_id", "name")
    ]


def missed_run(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """Enabled time-based schedules of a plan, flow or workflow (a disabled
    owner's too: their schedules keep running) with no run
    within the grace period whose trigger fired since their last run (or since
    the look-back began).

    The query leaves the schedules without a recent run; only their triggers
    are read, in Python (a trigger's clock is not SQL). A workspace whose run
    history is empty says nothing: the portal may not see its runs.
    """
    if not Run.objects.filter(workspace=workspace).exists():
        return []
    grace = timedelta(minutes=rule["grace_minutes"])
    start = now - timedelta(hours=rule["lookback_hours"])
    last_run = (
        Run.objects.filter(workspace=workspace, schedule_aac_id=OuterRef("aac_id"))
        .order_by("-aac_created_at")
        .values("aac_created_at")[:1]
    )
    rows = (
        enabled_schedules(workspace)
        .filter(
            trigger_kind__in=TIME_BASED,
            task_kind__in=RUN_KINDS,
        )
        .annotate(last_run=Subquery(last_run))
        .filter(Q(last_run__isnull=True) | Q(last_run__lt=now - grace))
        .values_list(
            "aac_id",
            "name",
            "raw",
            "description",
            "last_run",
            "last_execution_at",
            "aac_updated_at",
        )
    )
    hits = []
    for aac_id, name, raw, description, last, executed, updated in rows:
        after = max(t for t in (start, last, executed, updated) if t is not None)
        # By the minute: schedules on one trigger then share the clock's cache.
        due = next_run_at(raw, after=after.replace(second=0, microsecond=0))
        if due is None or due > now - grace:
            continue
        # Words that stay the same while it stays missed: when it was due
        # first is `since`, which only moves back.
        last_words = (
            f"its last run was at {last:%Y-%m-%d %H:%M} UTC."
            if last
            else "the run history holds no run of it."
        )
        hits.append(
            Hit(
                str(aac_id),
                name,
                f"Its trigger fired ({description}) and no run followed; {last_words}",
                since=due,
            )
        )
    return hits


def long_run(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """Runs of the look-back, finished or still going, that took more than
    `factor` times their asset's average complete run (and at least
    `min_minutes`), once the asset has `min_samples` complete runs."""
    same_asset = (
        Run.objects.filter(
            workspace=workspace,
            asset_kind=OuterRef("asset_kind"),
            asset_aac_id=OuterRef("asset_aac_id"),
            status=RunStatus.COMPLETE,
            duration_seconds__isnull=False,
        )
        .values("asset_kind")
        .annotate(usual=Avg(Cast("duration_seconds", FloatField())), n=Count("id"))
    )
    minimum = rule["min_minutes"] * 60
    recent = (
        Run.objects.filter(
            workspace=workspace,
            aac_created_at__gte=now - timedelta(hours=rule["lookback_hours"]),
        )
        .exclude(asset_aac_id="")
        .annotate(
            usual=Subquery(same_asset.values("usual")),
            samples=Subquery(same_asset.values("n")),
        )
        .filter(samples__gte=rule["min_samples"])
    )
    finished = recent.filter(
        duration_seconds__gte=minimum,
        duration_seconds__gt=F("usual") * rule["factor"],
    )
    going = recent.filter(
        status=RunStatus.IN_PROGRESS, started_at__lte=now - timedelta(seconds=minimum)
    )
    hits = []
    for run in [*finished, *going]:
        took = run.duration_seconds or (now - run.started_at).total_seconds()
        if took < minimum or took <= run.usual * rule["factor"]:
            continue
        verb = "took" if run.duration_seconds is not None else "has been running for"
        hits.append(
            Hit(
                str(run.aac_id),
                run.asset_name or run.asset_aac_id,
                f"This run {verb} {_duration(took)}; a complete run of it usually "
                f"takes {_duration(run.usual)}.",
                since=run.started_at or run.aac_created_at,
                data={
                    "asset_kind": run.asset_kind,
                    "asset_aac_id": run.asset_aac_id,
                    "schedule_aac_id": run.schedule_aac_id,
                },
            )
        )
    return hits


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes / 60:.1f} h"
