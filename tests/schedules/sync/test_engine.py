"""The sync against the simulator over real HTTP (docs/reliability.md rule 9, "Sync"
cases)."""

import dataclasses
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schedules.models import Schedule, SyncRun
from schedules.parse import parse_schedule
from schedules.sync.engine import sync_workspace
from schedules.sync.kinds import PEOPLE, SCHEDULES
from tests.schedules.conftest import aac_state, cache_of, new_run, on_list, sync
from workspaces.models import Connection

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
    assert found.pages == 3
    assert run.pages_fetched == found.pages + run.counts_of("people").pages
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
            sync_workspace(run, kinds=[PEOPLE, SCHEDULES])

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


def test_an_unchanged_sync_parses_nothing_and_still_counts_the_misunderstood(
    aac_sim, make_sim_workspace, page_size
):
    remote, workspace = make_sim_workspace("Parse none", schedules=150)
    listed = aac_sim.sim.schedules(remote.id)
    now = timezone.now()
    misunderstood = sum(bool(parse_schedule(raw, now=now).problems) for raw in listed)
    first = sync(workspace)
    parsed = []

    def counting(raw, **options):
        parsed.append(raw)
        return parse_schedule(raw, **options)

    aac_sim.sim.touch_schedules(remote.id, 2)
    run = sync(workspace, kinds=[dataclasses.replace(SCHEDULES, parse=counting)])

    found = run.counts_of("schedules")
    assert (found.unchanged, found.updated) == (148, 2)
    assert len(parsed) == 2
    assert found.unparsed == first.counts_of("schedules").unparsed == misunderstood
    assert misunderstood > 0


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
    workspace.connections.get().set_state(
        Connection.State.NEEDS_REAUTH, "AAC said invalid_grant."
    )
    requests_before = sum(aac_sim.sim.stats.requests.values())

    run = sync(workspace)

    assert (run.status, run.error_kind) == (Status.SKIPPED, "needs_reauth")
    assert run.error_message == "Needs re-authorisation. AAC said invalid_grant."
    assert sum(aac_sim.sim.stats.requests.values()) == requests_before
    assert cache_of(workspace) == {}


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
