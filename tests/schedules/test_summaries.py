"""The summaries the sync keeps equal what counting every cached schedule gives,
after every kind of sync (`schedules.summaries`)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from schedules import summaries
from schedules.connections import remove_connection
from schedules.load import upcoming_load
from schedules.models import AllWorkspaces, Schedule, SyncRun, WorkspaceSummary
from schedules.queries import summarise, top_owners
from tests.schedules.conftest import active_person, on_list, sync
from tests.workspaces.stored import expire_soon, tokens
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

Status = SyncRun.Status


@pytest.fixture
def quarter_hour():
    """Time stands still on a quarter hour: what a summary counts from."""
    now = timezone.now().replace(minute=15, second=0, microsecond=0)
    with time_machine.travel(now, tick=False):
        yield now


def counted_in_full(workspace_ids: list[int], *, now) -> dict:
    """What the dashboard showed before summaries: every row counted."""
    schedules = Schedule.objects.filter(workspace_id__in=workspace_ids)
    by_workspace = summarise(schedules, now=now).by_workspace
    return {
        "by_workspace": {pk: by_workspace.get(pk, {}) for pk in workspace_ids},
        "owners": top_owners(schedules, limit=10_000),
        "load": upcoming_load(schedules, now=now),
        "next_24h": summarise(schedules, now=now).total("next_24h"),
    }


def from_summaries(workspace_ids: list[int], *, now, every: bool) -> dict:
    read = summaries.overview(
        workspace_ids, now=now, every=every, detailed=set(workspace_ids)
    )
    return {
        "by_workspace": {
            pk: read.summary.by_workspace.get(pk, {}) for pk in workspace_ids
        },
        "owners": read.owners,
        "load": read.load,
        "next_24h": read.totals["next_24h"],
    }


def assert_summaries_equal_a_full_count(now) -> None:
    every = sorted(Workspace.objects.values_list("pk", flat=True))
    for ids, sees_all in ((every, True), (every[:1], False)):
        expected = counted_in_full(ids, now=now)
        assert expected["owners"]
        assert expected["load"].total > 0
        # A workspace never synced has no counts either way.
        expected["by_workspace"] = {
            pk: c for pk, c in expected["by_workspace"].items() if c
        }
        got = from_summaries(ids, now=now, every=sees_all)
        got["by_workspace"] = {pk: c for pk, c in got["by_workspace"].items() if c}
        assert got == expected


@pytest.fixture
def two_workspaces(make_sim_workspace, page_size, quarter_hour):
    first = make_sim_workspace("Summed one", schedules=230)
    second = make_sim_workspace("Summed two", schedules=140)
    return first, second


def test_a_full_sync_writes_summaries_equal_to_a_full_count(
    two_workspaces, quarter_hour
):
    (_, one), (_, two) = two_workspaces

    assert sync(one).status == sync(two).status == Status.SUCCEEDED

    assert WorkspaceSummary.objects.get(pk=one.pk).schedules == 230
    assert AllWorkspaces.objects.get().members == 2
    assert_summaries_equal_a_full_count(quarter_hour)


def test_summaries_follow_changes_and_unchanged_syncs(
    aac_sim, two_workspaces, quarter_hour
):
    (remote, one), (_, two) = two_workspaces
    sync(one), sync(two)
    aac_sim.sim.add_schedules(remote.id, 5)
    aac_sim.sim.remove_schedules(remote.id, 7)
    aac_sim.sim.touch_schedules(remote.id, 4)

    assert sync(one).counts_of("schedules").deleted > 0
    assert sync(two).counts_of("schedules").unchanged == 140

    listed = len(aac_sim.sim.schedules(remote.id))
    assert WorkspaceSummary.objects.get(pk=one.pk).schedules == listed
    assert_summaries_equal_a_full_count(quarter_hour)


def test_a_failed_sync_leaves_summaries_that_still_equal_the_cache(
    aac_sim, two_workspaces, quarter_hour
):
    (remote, one), (_, two) = two_workspaces
    sync(one), sync(two)
    before = WorkspaceSummary.objects.get(pk=one.pk)
    aac_sim.sim.remove_schedules(remote.id, 30)
    on_list(aac_sim, remote, "status", status=503, after=1)

    assert sync(one).status == Status.FAILED

    after = WorkspaceSummary.objects.get(pk=one.pk)
    assert (after.as_of, after.counts) == (before.as_of, before.counts)
    assert_summaries_equal_a_full_count(quarter_hour)


def test_a_sync_that_applies_part_of_its_connections_keeps_summaries_equal(
    aac_sim, make_sim_workspace, connect_person, page_size, quarter_hour
):
    remote, workspace = make_sim_workspace(
        "Partial", schedules=200, people=6, list_scope="owner"
    )
    failing = connect_person(remote, workspace, active_person(remote))
    sync(workspace)
    aac_sim.sim.add_schedules(remote.id, 6)
    aac_sim.sim.refresh(tokens(failing.pk)[1], client_id=remote.client_id)
    expire_soon(failing.pk)

    run = sync(workspace)

    assert (run.status, run.error_kind) == (Status.SUCCEEDED, "connections")
    assert_summaries_equal_a_full_count(quarter_hour)


def test_removing_a_connection_recounts_its_workspace(
    make_sim_workspace, connect_person, page_size, quarter_hour
):
    remote, workspace = make_sim_workspace("Removed", schedules=120, people=4)
    second = connect_person(remote, workspace, active_person(remote))
    sync(workspace)
    only_second = sorted(Schedule.objects.values_list("aac_id", flat=True))[:3]
    Schedule.objects.filter(aac_id__in=only_second).update(seen_by=second.bit)

    remove_connection(second)

    assert WorkspaceSummary.objects.get(pk=workspace.pk).schedules == 117
    assert_summaries_equal_a_full_count(quarter_hour)


def test_a_deleted_workspace_leaves_the_total_until_the_next_write_rebuilds_it(
    two_workspaces, quarter_hour
):
    (_, one), (_, two) = two_workspaces
    sync(one), sync(two)

    one.delete()

    # Readers add up the rows that are left meanwhile.
    assert AllWorkspaces.objects.get().members == 2
    assert_summaries_equal_a_full_count(quarter_hour)
    sync(two)
    total = AllWorkspaces.objects.get()
    assert (total.members, total.member_ids) == (1, two.pk)
    assert_summaries_equal_a_full_count(quarter_hour)


def test_read_later_the_week_and_the_next_day_start_at_the_quarter_hour_of_reading(
    two_workspaces, quarter_hour
):
    (_, one), _ = two_workspaces
    sync(one)
    later = quarter_hour + timedelta(hours=5)

    read = summaries.overview([one.pk], now=later, every=True, detailed={one.pk})

    schedules = Schedule.objects.filter(workspace=one)
    # The sync counted a day more than a week: the reader's week is whole.
    assert read.load.start == later
    assert read.load == upcoming_load(schedules, now=later)
    expected = schedules.filter(
        enabled=True,
        next_run_at__gte=later,
        next_run_at__lt=later + timedelta(days=1),
    ).count()
    assert read.totals["next_24h"] == read.summary.by_workspace[one.pk]["next_24h"]
    assert read.totals["next_24h"] == expected > 0


def test_a_sync_that_changes_no_schedule_recounts_only_a_summary_an_hour_old(
    aac_sim, two_workspaces, quarter_hour
):
    (_, one), _ = two_workspaces
    sync(one)
    first = WorkspaceSummary.objects.get(pk=one.pk).as_of

    sync(one)  # no time passed: no next run moved on either
    assert WorkspaceSummary.objects.get(pk=one.pk).as_of == first

    later = quarter_hour + summaries.FRESH + timedelta(minutes=15)
    with time_machine.travel(later, tick=False):
        sync(one)
        assert WorkspaceSummary.objects.get(pk=one.pk).as_of == later
        assert_summaries_equal_a_full_count(later)


def test_migrate_summarises_the_caches_that_have_no_summary_yet(
    two_workspaces, quarter_hour
):
    (_, one), (_, two) = two_workspaces
    sync(one), sync(two)
    WorkspaceSummary.objects.all().delete()  # as before summaries existed

    summaries.summarise_missing()

    assert set(WorkspaceSummary.objects.values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }
    assert_summaries_equal_a_full_count(quarter_hour)
