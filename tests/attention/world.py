"""Builders for the attention tests: a frozen clock, triggers as AAC sends
them, and one arrangement per rule that opens a finding and one that fixes it."""

from datetime import UTC, datetime, timedelta

from attention.evaluate import evaluate_workspace
from attention.models import Finding
from schedules.models import Plan, Run, Schedule, SyncRun, TriggerKind
from tests.factories import (
    make_aac_run,
    make_asset,
    make_connection,
    make_run,
    make_schedule,
)
from workspaces.models import Connection

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def hourly_raw(aac_id: int, minute: int = 0) -> dict:
    return {
        "id": aac_id,
        "triggers": [
            {"timeBased": {"hourly": {"minuteOfHour": minute}, "timezone": "UTC"}}
        ],
    }


def evaluate(workspace, now=NOW):
    return evaluate_workspace(workspace=workspace, now=now)


def open_findings(workspace, rule):
    return list(
        Finding.objects.filter(workspace=workspace, rule=rule, resolved_at__isnull=True)
    )


def hourly_schedule(workspace, aac_id, **fields):
    fields.setdefault("trigger_kind", TriggerKind.HOURLY)
    fields.setdefault("cron", "0 * * * *")
    fields.setdefault("timezone", "UTC")
    fields.setdefault("description", "Every hour at :00, UTC")
    fields.setdefault("next_run_at", NOW + timedelta(hours=1))
    fields.setdefault("aac_updated_at", NOW - timedelta(days=30))
    return make_schedule(workspace, aac_id=aac_id, raw=hourly_raw(aac_id), **fields)


# Each rule: (arrange, fix). `arrange(ws)` makes the rule find something and
# returns the subject id expected; `fix(ws)` removes the cause.


def _owner_disabled(ws):
    return str(
        hourly_schedule(ws, 11, owner_disabled=True, owner_name="Old Owner").aac_id
    )


def _owner_disabled_fix(ws):
    Schedule.objects.filter(workspace=ws, aac_id=11).update(enabled=False)


def _never_fires(ws):
    make_schedule(
        ws,
        aac_id=12,
        trigger_kind=TriggerKind.ONE_TIME,
        description="Once, on 2026-01-01 09:00, UTC",
        next_run_at=None,
    )
    return "12"


def _never_fires_fix(ws):
    Schedule.objects.filter(workspace=ws, aac_id=12).update(enabled=False)


def _frequent(ws):
    hourly_schedule(ws, 13, trigger_kind=TriggerKind.CRON, cron="*/5 * * * *")
    return "13"


def _frequent_fix(ws):
    Schedule.objects.filter(workspace=ws, aac_id=13).update(cron="0 * * * *")


def _duplicate(ws):
    for aac_id in (14, 15):
        hourly_schedule(
            ws, aac_id, task_kind="plan", target_id="900", target_name="Plan 900"
        )
    return "14"


def _duplicate_fix(ws):
    Schedule.objects.filter(workspace=ws, aac_id=15).update(enabled=False)


def _failing(ws):
    hourly_schedule(ws, 16)
    for hours in (3, 2):
        make_aac_run(
            ws,
            status="Failed",
            created=NOW - timedelta(hours=hours),
            schedule_aac_id=16,
        )
    return "16"


def _failing_fix(ws):
    make_aac_run(ws, created=NOW - timedelta(hours=1), schedule_aac_id=16)


def _missed(ws):
    hourly_schedule(ws, 17, task_kind="plan")
    # It ran at 06:00 and never since: 07:00 was due.
    make_aac_run(ws, created=NOW - timedelta(hours=4), schedule_aac_id=17)
    return "17"


def _missed_fix(ws):
    make_aac_run(ws, created=NOW - timedelta(minutes=1), schedule_aac_id=17)


def _long_run(ws):
    plan = make_asset(Plan, ws, 500)
    for days in (1, 2, 3):
        make_aac_run(ws, asset=plan, created=NOW - timedelta(days=days))
    run = make_aac_run(
        ws, asset=plan, created=NOW - timedelta(hours=5), duration_seconds=4 * 3600
    )
    return str(run.aac_id)


def _long_run_fix(ws):
    Run.objects.filter(workspace=ws, duration_seconds=4 * 3600).update(
        duration_seconds=700
    )


def _sync_failing(ws):
    make_run(
        ws,
        status=SyncRun.Status.FAILED,
        finished_at=NOW - timedelta(minutes=5),
        error_kind="unavailable",
        error_message="AAC answered 503.",
    )
    return ""


def _sync_failing_fix(ws):
    make_run(ws, status=SyncRun.Status.SUCCEEDED, finished_at=NOW)


def _stale(ws):
    make_run(ws, status=SyncRun.Status.SUCCEEDED, finished_at=NOW - timedelta(hours=2))
    return ""


def _stale_fix(ws):
    make_run(ws, status=SyncRun.Status.SUCCEEDED, finished_at=NOW)


def _reauth(ws):
    connection = ws.connections.get()
    connection.set_state(Connection.State.NEEDS_REAUTH, "invalid_grant")
    return str(connection.pk)


def _reauth_fix(ws):
    ws.connections.get().set_state(Connection.State.OK)


def _expiring(ws):
    connection = ws.connections.get()
    Connection.objects.filter(pk=connection.pk).update(
        refresh_token_issued_at=NOW - timedelta(days=80), refresh_token_lifetime_days=90
    )
    return str(connection.pk)


def _expiring_fix(ws):
    Connection.objects.filter(workspace=ws).update(refresh_token_issued_at=NOW)


def _partial(ws):
    ws.connections.all().delete()
    return ""


def _partial_fix(ws):
    make_connection(ws)


def _unparsed(ws):
    make_run(
        ws,
        status=SyncRun.Status.SUCCEEDED,
        finished_at=NOW - timedelta(minutes=5),
        schedules={"seen": 10, "unparsed": 3},
    )
    return ""


def _unparsed_fix(ws):
    make_run(
        ws, status=SyncRun.Status.SUCCEEDED, finished_at=NOW, schedules={"seen": 10}
    )


SCENARIOS = {
    "owner_disabled": (_owner_disabled, _owner_disabled_fix),
    "never_fires": (_never_fires, _never_fires_fix),
    "frequent_schedule": (_frequent, _frequent_fix),
    "duplicate_schedule": (_duplicate, _duplicate_fix),
    "failing_schedule": (_failing, _failing_fix),
    "missed_run": (_missed, _missed_fix),
    "long_run": (_long_run, _long_run_fix),
    "sync_failing": (_sync_failing, _sync_failing_fix),
    "stale_data": (_stale, _stale_fix),
    "needs_reauth": (_reauth, _reauth_fix),
    "token_expiring": (_expiring, _expiring_fix),
    "partial_coverage": (_partial, _partial_fix),
    "not_understood": (_unparsed, _unparsed_fix),
}
