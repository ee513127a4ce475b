"""The sync task: retries only unavailable and rate-limited AAC, never sooner than
AAC asks and never beyond the broker's visibility timeout (docs/reliability.md
rules 7-8).

`apply()` runs the task here, as a worker would, without a broker; the
`retries` fixture records what the task passes to Celery's `retry` and ends
the task there (eager mode would otherwise run the retry at once).
"""

import logging
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from aac.errors import RateLimited, Unavailable
from schedules import tasks
from schedules.models import SyncRun
from schedules.queueing import queue_beat_syncs
from schedules.retry import MAX_RETRIES, max_retry_delay, retry_delay
from tests.factories import make_run, make_workspace
from tests.schedules.conftest import (
    SHORT_HISTORY,
    aac_state,
    cache_of,
    new_run,
    on_list,
    sync,
)

pytestmark = pytest.mark.django_db

Status = SyncRun.Status


@pytest.fixture
def retries(monkeypatch):
    calls = []
    task = tasks.sync_workspace._get_current_object()

    def retry(**options):
        calls.append(options)
        return Retry(when=options.get("eta"))

    monkeypatch.setattr(task, "retry", retry)
    return calls


def run_task(run, *, retries=0):
    result = tasks.sync_workspace.apply(args=[run.pk], retries=retries)
    run.refresh_from_db()
    return result


def test_a_rate_limited_sync_retries_no_sooner_than_aac_asks(
    aac_sim, make_sim_workspace, retries
):
    remote, workspace = make_sim_workspace("Rate limited", schedules=20)
    on_list(aac_sim, remote, "rate_limit", retry_after=7, times=1)
    run = new_run(workspace)
    limited_at = timezone.now()

    result = run_task(run)

    assert result.state == "RETRY"
    assert len(retries) == 1
    eta = retries[0]["eta"]
    assert eta >= limited_at + timedelta(seconds=7)
    assert eta == run.retry_at
    assert run.status == Status.QUEUED
    assert run.error_kind == "rate_limited"
    assert run.error_message == f"AAC rate limit, retrying at {hh_mm(eta)} UTC."
    assert run.aac_request_id


def hh_mm(at) -> str:
    """The minute "retrying at" names: the wait's end, rounded up."""
    return f"{(at + timedelta(seconds=59, microseconds=999999)):%H:%M}"


def test_a_failed_page_is_retried_later_and_the_retry_applies_it(
    aac_sim, make_sim_workspace, page_size, retries
):
    remote, workspace = make_sim_workspace(
        "Retried", schedules=450, history_days=SHORT_HISTORY
    )
    sync(workspace)
    before = cache_of(workspace)
    aac_sim.sim.remove_schedules(remote.id, 25)
    on_list(aac_sim, remote, "status", status=503, after=1)
    run = new_run(workspace)

    first = run_task(run)

    assert first.state == "RETRY"
    assert retries == [{"eta": run.retry_at}]
    assert (run.status, run.error_kind) == (Status.QUEUED, "unavailable")
    assert run.error_message.startswith("AAC unavailable, retrying at ")
    assert cache_of(workspace) == before

    aac_sim.sim.faults.clear()
    second = run_task(run, retries=1)

    assert second.state == "SUCCESS"
    assert (run.status, run.counts_of("schedules").deleted) == (Status.SUCCEEDED, 25)
    assert run.error_kind == run.error_message == ""
    assert run.retry_at is None
    assert cache_of(workspace) == aac_state(aac_sim, remote)


def test_the_last_retry_fails_the_run_for_good(aac_sim, make_sim_workspace, retries):
    remote, workspace = make_sim_workspace("Out of retries", schedules=20)
    on_list(aac_sim, remote, "status", status=503)
    run = new_run(workspace)

    result = run_task(run, retries=MAX_RETRIES)

    assert retries == []
    assert result.state == "SUCCESS"  # the task ended; the run records the failure
    assert (run.status, run.error_kind) == (Status.FAILED, "unavailable")
    assert run.retry_at is None


def test_errors_that_a_retry_cannot_fix_are_not_retried(
    aac_sim, make_sim_workspace, retries
):
    remote, workspace = make_sim_workspace("Broken answer", schedules=20)
    on_list(aac_sim, remote, "html")
    run = new_run(workspace)

    result = run_task(run)

    assert retries == []
    assert result.state == "SUCCESS"
    assert (run.status, run.error_kind) == (Status.FAILED, "protocol_error")


def test_a_wait_longer_than_the_broker_allows_is_left_to_the_next_beat(
    aac_sim, make_sim_workspace, settings, retries
):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    remote, workspace = make_sim_workspace("Long wait", schedules=20)
    on_list(aac_sim, remote, "rate_limit", retry_after=3600)
    run = new_run(workspace)

    limited_at = timezone.now()

    result = run_task(run)

    assert retries == []
    assert result.state == "SUCCESS"
    assert (run.status, run.error_kind) == (Status.FAILED, "rate_limited")
    # Not AAC's bare "429 TooManyRequestsException": when it is tried again.
    assert run.retry_at >= limited_at + timedelta(seconds=3600)
    assert run.error_message == (
        f"AAC rate limit, retrying at {hh_mm(run.retry_at)} UTC (the first "
        "scheduled sync from then)."
    )
    assert "TooManyRequests" not in run.error_message
    assert queue_beat_syncs() == []  # the beat waits for it


def test_countdowns_stay_inside_the_visibility_timeout(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    settings.CELERY_TASK_TIME_LIMIT = 300
    cap = max_retry_delay()

    assert cap == 600 - 300 - 60
    for attempt in range(12):
        delay = retry_delay(Unavailable("down"), attempt=attempt)
        assert 1 <= delay <= cap
    assert retry_delay(RateLimited("slow", retry_after=cap), attempt=0) == cap
    assert retry_delay(RateLimited("slow", retry_after=cap + 1), attempt=0) is None
    assert retry_delay(ValueError("not AAC's"), attempt=0) is None


def test_a_sync_of_a_workspace_deleted_while_queued_is_logged_and_skipped(
    make_sim_workspace, caplog
):
    _, workspace = make_sim_workspace("Deleted", schedules=5)
    run = new_run(workspace)
    workspace.delete()

    with caplog.at_level(logging.WARNING, logger="schedules.sync"):
        result = tasks.sync_workspace.apply(args=[run.pk])

    assert result.state == "SUCCESS"
    assert f"Sync run {run.pk} no longer exists" in caplog.text
    assert not SyncRun.objects.exists()


def test_beat_expires_dead_runs_within_about_two_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-stale-sync-runs"]

    assert entry["task"] == tasks.expire_stale_sync_runs.name
    assert settings.AAC_SYNC_HEARTBEAT_TIMEOUT == 120
    assert entry["schedule"] == timedelta(seconds=30)
    assert entry["options"]["expires"] < 30


@pytest.mark.django_db
def test_the_expiry_task_fails_a_run_whose_heartbeat_stopped(settings):
    workspace = make_workspace("Acme EU")
    stopped = timezone.now() - timedelta(
        seconds=settings.AAC_SYNC_HEARTBEAT_TIMEOUT + 1
    )
    run = make_run(workspace, status="running", heartbeat_at=stopped)

    tasks.expire_stale_sync_runs()

    run.refresh_from_db()
    assert (run.status, run.error_kind) == ("failed", "expired")
    assert "no heartbeat for 120 s" in run.error_message
