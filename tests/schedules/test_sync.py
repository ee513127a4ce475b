"""The sync against the simulator over real HTTP (docs/reliability.md rule 9, "Sync"
cases)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schedules.models import Schedule, SyncRun
from schedules.parse import parse_schedule
from schedules.sync.engine import sync_workspace
from schedules.sync.runs import Heartbeat, expire_stale_runs
from tests.factories import make_run, make_workspace
from tests.schedules.conftest import aac_state, cache_of, new_run, on_list, sync
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

Status = SyncRun.Status


def test_it_caches_every_schedule_aac_lists(aac_sim, make_sim_workspace, page_size):
    remote, workspace = make_sim_workspace("Cache all", schedules=250)
    listed = aac_sim.sim.schedules(remote.id)
    misunderstood = sum(
        bool(parse_schedule(raw, now=timezone.now()).problems) for raw in listed
    )

    run = sync(workspace)

    found = run.counts_of("schedules")
    assert (run.status, run.error_kind, run.error_message) == (Status.SUCCEEDED, "", "")
    assert run.pages_fetched == found.pages == 3
    assert (found.seen, found.created, found.updated) == (250, 250, 0)
    assert (found.unchanged, found.deleted, found.ignored) == (0, 0, 0)
    assert found.unparsed == misunderstood > 0  # the simulator adds oddities
    assert run.started_at <= run.finished_at
    assert cache_of(workspace) == aac_state(aac_sim, remote)
    stored = Schedule.objects.get(workspace=workspace, aac_id=listed[0]["id"])
    assert stored.raw == listed[0]
    assert stored.name == listed[0]["name"]


def test_it_writes_what_changed_and_deletes_what_aac_dropped(
    aac_sim, make_sim_workspace, page_size
):
    remote, workspace = make_sim_workspace("Changes", schedules=230)
    sync(workspace)
    aac_sim.sim.add_schedules(remote.id, 5)
    aac_sim.sim.remove_schedules(remote.id, 3)
    aac_sim.sim.touch_schedules(remote.id, 4)

    run = sync(workspace)

    found = run.counts_of("schedules")
    assert run.status == Status.SUCCEEDED
    assert (found.created, found.updated, found.deleted) == (5, 4, 3)
    assert found.unchanged == 230 - 3 - 4
    assert cache_of(workspace) == aac_state(aac_sim, remote)


def test_an_unchanged_sync_writes_no_schedule_rows(
    aac_sim, make_sim_workspace, page_size
):
    _remote, workspace = make_sim_workspace("Unchanged", schedules=150)
    with time_machine.travel(timezone.now(), tick=False):
        sync(workspace)
        run = new_run(workspace)
        with CaptureQueriesContext(connection) as queries:
            sync_workspace(run)

    found = run.counts_of("schedules")
    assert run.status == Status.SUCCEEDED
    assert (found.unchanged, found.created, found.updated, found.deleted) == (
        150,
        0,
        0,
        0,
    )
    statements = [query["sql"] for query in queries.captured_queries]
    writes = [
        sql
        for sql in statements
        if "schedules_schedule" in sql
        and sql.split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    assert any("schedules_schedule" in sql for sql in statements)
    assert writes == []


def test_a_failed_page_fails_the_run_and_keeps_the_last_good_cache(
    aac_sim, make_sim_workspace, page_size
):
    remote, workspace = make_sim_workspace("Page two fails", schedules=450)
    sync(workspace)
    before = cache_of(workspace)
    aac_sim.sim.add_schedules(remote.id, 10)
    aac_sim.sim.remove_schedules(remote.id, 10)
    # Page 1 answers; page 2 of 5, and the client's retry of it, do not.
    on_list(aac_sim, remote, "status", status=503, after=1)

    run = sync(workspace)

    assert run.status == Status.FAILED
    assert run.error_kind == "unavailable"
    assert "503" in run.error_message
    assert run.aac_request_id
    assert run.finished_at is not None
    assert cache_of(workspace) == before


@pytest.mark.parametrize(
    "kind", ["malformed_json", "html", "wrong_types", "missing_data"]
)
def test_an_answer_aac_should_not_send_fails_the_run_with_the_reason(
    aac_sim, make_sim_workspace, page_size, kind
):
    remote, workspace = make_sim_workspace(f"Bad answer {kind}", schedules=250)
    sync(workspace)
    before = cache_of(workspace)
    aac_sim.sim.remove_schedules(remote.id, 20)
    on_list(aac_sim, remote, kind, after=1)

    run = sync(workspace)

    assert (run.status, run.error_kind) == (Status.FAILED, "protocol_error")
    assert run.error_message
    assert cache_of(workspace) == before


def test_a_list_that_changed_between_pages_is_read_again_and_applied_whole(
    aac_sim, make_sim_workspace, page_size
):
    remote, workspace = make_sim_workspace("Moving list", schedules=420)
    sync(workspace)
    on_list(aac_sim, remote, "mutate", after=2, times=1, add=3, remove=2)

    run = sync(workspace)

    found = run.counts_of("schedules")
    assert run.status == Status.SUCCEEDED
    assert (found.created, found.deleted) == (3, 2)
    assert cache_of(workspace) == aac_state(aac_sim, remote)


def test_a_list_whose_count_keeps_changing_is_partial_and_not_applied(
    aac_sim, make_sim_workspace, page_size
):
    remote, workspace = make_sim_workspace("Growing list", schedules=320)
    sync(workspace)
    before = cache_of(workspace)
    on_list(aac_sim, remote, "mutate", add=2)

    run = sync(workspace)

    assert (run.status, run.error_kind) == (Status.FAILED, "partial")
    assert run.error_message.startswith("Partial, not applied: AAC's count changed")
    assert cache_of(workspace) == before


def test_a_list_churning_under_the_reader_never_loses_a_schedule_aac_has(
    aac_sim, make_sim_workspace, page_size
):
    # One removed and one added before every page: the count stays the same,
    # but offset paging skips a schedule each time one before it goes.
    remote, workspace = make_sim_workspace("Churning list", schedules=320)
    sync(workspace)
    on_list(aac_sim, remote, "mutate", add=1, remove=1)

    run = sync(workspace)

    assert run.status == Status.SUCCEEDED
    assert run.counts_of("schedules").deleted > 0
    assert set(aac_state(aac_sim, remote)) <= set(cache_of(workspace))


def test_a_workspace_needing_reauthorisation_is_skipped_without_calling_aac(
    aac_sim, make_sim_workspace
):
    _remote, workspace = make_sim_workspace("Locked out")
    workspace.set_state(Workspace.State.NEEDS_REAUTH, "AAC said invalid_grant.")
    requests_before = sum(aac_sim.sim.stats.requests.values())

    run = sync(workspace)

    assert (run.status, run.error_kind) == (Status.SKIPPED, "needs_reauth")
    assert run.error_message == "Needs re-authorisation. AAC said invalid_grant."
    assert sum(aac_sim.sim.stats.requests.values()) == requests_before
    assert cache_of(workspace) == {}


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
        sync_workspace(run)

    beats = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE")
        and '"heartbeat_at" = ' in q["sql"].split(" WHERE ")[0]
    ]
    # The claim, one per page, one at the start of the apply.
    assert len(beats) == 1 + 3 + 1
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


def test_next_runs_that_passed_are_recomputed_by_the_next_sync(
    aac_sim, make_sim_workspace
):
    _remote, workspace = make_sim_workspace("Next runs", schedules=120)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sync(workspace)
        clock.shift(timedelta(hours=3))
        now = timezone.now()
        assert Schedule.objects.filter(workspace=workspace, next_run_at__lte=now)

        run = sync(workspace)

    assert run.counts_of("schedules").unchanged == 120
    assert not Schedule.objects.filter(workspace=workspace, next_run_at__lte=now)
    for row in Schedule.objects.filter(workspace=workspace):
        expected = parse_schedule(row.raw, now=now).fields["next_run_at"]
        assert row.next_run_at == expected


def _constraint(name):
    return next(c for c in SyncRun._meta.constraints if c.name == name)
