"""A SyncRun's life on the real database: claim, heartbeat, take-over, expiry.

The database allows one running sync per workspace, and a running run always
has a heartbeat; a run is expired by the age of its heartbeat, and a worker
whose run was expired under it writes nothing (docs/reliability.md rules 9
and 16).
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schedules.models import SyncRun
from schedules.sync.engine import sync_workspace
from schedules.sync.kinds import PEOPLE, SCHEDULES
from schedules.sync.runs import Heartbeat, expire_stale_runs, load_run
from tests.factories import make_run, make_workspace
from tests.schedules.conftest import aac_state, cache_of, new_run, sync

pytestmark = pytest.mark.django_db

Status = SyncRun.Status


def test_a_run_left_running_by_a_lost_worker_is_taken_over(aac_sim, make_sim_workspace):
    remote, workspace = make_sim_workspace("Lost worker", schedules=30)
    a_while_ago = timezone.now() - timedelta(seconds=30)
    run = make_run(workspace, status=Status.RUNNING, started_at=a_while_ago)

    run = sync_workspace(run)

    assert run.status == Status.SUCCEEDED
    assert cache_of(workspace) == aac_state(aac_sim, remote)


def test_a_finished_run_is_not_run_again(aac_sim, make_sim_workspace):
    _remote, workspace = make_sim_workspace("Finished", schedules=10)
    run = sync(workspace)
    requests_before = sum(aac_sim.sim.stats.requests.values())

    again = sync_workspace(run)

    assert again.status == Status.SUCCEEDED
    assert sum(aac_sim.sim.stats.requests.values()) == requests_before


@pytest.fixture
def without_one_active_constraint(transactional_db):
    """Drop "one queued or running run per workspace" for one test."""
    constraint = _constraint("syncrun_one_active_per_workspace")
    with connection.schema_editor() as editor:
        editor.remove_constraint(SyncRun, constraint)
    yield
    SyncRun.objects.all().delete()
    with connection.schema_editor() as editor:
        editor.add_constraint(SyncRun, constraint)


def test_the_database_lets_only_one_run_of_a_workspace_be_running(
    without_one_active_constraint,
):
    # `queue_sync` relies on the stronger "one queued or running" constraint;
    # without it two runs can be queued, and "one running" still holds.
    workspace = make_workspace("One at a time")
    make_run(workspace, status=Status.RUNNING)
    second = new_run(workspace)

    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.filter(pk=second.pk).update(
            status=Status.RUNNING, heartbeat_at=timezone.now()
        )


def test_the_database_refuses_a_running_run_without_a_heartbeat():
    run = new_run(make_workspace("No heartbeat"))

    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.filter(pk=run.pk).update(status=Status.RUNNING)


def test_stale_runs_expire_and_free_their_workspace(make_sim_workspace):
    _, workspace = make_sim_workspace("Stale", schedules=0)
    old = timezone.now() - timedelta(minutes=16)
    running = make_run(workspace, status=Status.RUNNING, started_at=old)
    _, other = make_sim_workspace("Stale queue", schedules=0)
    queued = new_run(other)
    SyncRun.objects.filter(pk=queued.pk).update(queued_at=old)

    assert expire_stale_runs() == 2

    for run in (running, queued):
        run.refresh_from_db()
        assert (run.status, run.error_kind) == (Status.FAILED, "expired")
    assert sync(workspace).status == Status.SUCCEEDED


def test_a_running_run_expires_by_the_age_of_its_heartbeat_not_of_its_start(
    settings,
):
    settings.AAC_SYNC_HEARTBEAT_TIMEOUT = 120
    now = timezone.now()
    long_but_alive = make_run(
        make_workspace("Long sync"),
        status=Status.RUNNING,
        started_at=now - timedelta(hours=1),
        heartbeat_at=now - timedelta(seconds=100),
    )
    silent = make_run(
        make_workspace("Silent worker"),
        status=Status.RUNNING,
        started_at=now - timedelta(minutes=3),
        heartbeat_at=now - timedelta(seconds=130),
    )

    assert expire_stale_runs() == 1

    long_but_alive.refresh_from_db()
    silent.refresh_from_db()
    assert long_but_alive.status == Status.RUNNING
    assert (silent.status, silent.error_kind) == (Status.FAILED, "expired")
    assert silent.error_message == (
        "Expired: its worker stopped answering (no heartbeat for 120 s)."
    )


def test_a_sync_beats_while_it_works(aac_sim, make_sim_workspace, page_size, settings):
    # A timeout of 0 s makes the sync beat after every page.
    settings.AAC_SYNC_HEARTBEAT_TIMEOUT = 0
    _, workspace = make_sim_workspace("Beating", schedules=250)
    run = new_run(workspace)

    with CaptureQueriesContext(connection) as queries:
        sync_workspace(run, kinds=[PEOPLE, SCHEDULES])

    beats = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE")
        and '"heartbeat_at" = ' in q["sql"].split(" WHERE ")[0]
    ]
    # The claim, one per page (a page of people, three of schedules), one at
    # the start of the apply.
    assert len(beats) == 1 + 1 + 3 + 1
    assert run.status == Status.SUCCEEDED
    assert run.heartbeat_at >= run.started_at


def test_a_worker_whose_run_expired_under_it_stops_and_writes_nothing(
    aac_sim, make_sim_workspace, page_size, settings, monkeypatch
):
    remote, workspace = make_sim_workspace("Expired under me", schedules=250)
    sync(workspace)
    before = cache_of(workspace)
    aac_sim.sim.remove_schedules(remote.id, 10)
    settings.AAC_SYNC_HEARTBEAT_TIMEOUT = 0
    run = new_run(workspace)
    original_page = Heartbeat.page

    def expired_meanwhile(heartbeat):
        # Another process found the heartbeat too old and expired the run.
        SyncRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, error_kind="expired", finished_at=timezone.now()
        )
        original_page(heartbeat)

    monkeypatch.setattr(Heartbeat, "page", expired_meanwhile)

    run = sync_workspace(run)

    assert (run.status, run.error_kind) == (Status.FAILED, "expired")
    assert cache_of(workspace) == before


def _constraint(name):
    return next(c for c in SyncRun._meta.constraints if c.name == name)


def test_a_run_is_loaded_with_its_workspace_or_logged_as_gone(
    caplog, django_assert_num_queries
):
    run = make_run(make_workspace("Loaded"))

    with django_assert_num_queries(1):
        loaded = load_run(run.pk)
        assert loaded.workspace.name == "Loaded"
    assert loaded == run

    with caplog.at_level("WARNING", logger="schedules.sync.runs"):
        assert load_run(run.pk + 1000) is None
    assert caplog.messages == [
        f"Sync run {run.pk + 1000} no longer exists (its workspace was deleted?); "
        "skipped"
    ]
