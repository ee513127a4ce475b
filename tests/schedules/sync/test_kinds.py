"""A kind says what the engine does: whether it counts a list, whether it deletes.

The engine runs these kinds as it runs the schedules kind; only what the kind
says differs.
"""

from dataclasses import replace

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Profile
from schedules.assets.kinds import FLOWS, PLANS, RUNS, WORKFLOWS
from schedules.assets.models import Plan
from schedules.models import SyncRun
from schedules.sync.catalog import KINDS
from schedules.sync.engine import sync_workspace
from schedules.sync.kinds import PEOPLE, SCHEDULES
from tests.schedules.conftest import aac_state, cache_of, new_run, sync

pytestmark = pytest.mark.django_db

Status = SyncRun.Status


def test_people_come_first_then_the_schedules_a_full_counted_list():
    assert KINDS[:2] == (PEOPLE, SCHEDULES)
    assert SCHEDULES.count is not None
    assert SCHEDULES.deletes_missing
    assert PEOPLE.deletes_missing


def test_a_sync_caches_the_assets_before_the_runs_whose_rollups_update_them():
    assert KINDS == (PEOPLE, SCHEDULES, PLANS, FLOWS, WORKFLOWS, RUNS)
    assert all(kind.deletes_missing for kind in (PLANS, FLOWS, WORKFLOWS))
    assert RUNS.window is not None
    assert not RUNS.deletes_missing


def test_a_kind_that_reads_a_window_and_deletes_what_it_misses_is_refused():
    with pytest.raises(ImproperlyConfigured, match="cannot tell what AAC deleted"):
        replace(RUNS, deletes_missing=True)


def test_a_kind_whose_model_lacks_its_derived_fields_is_refused():
    with pytest.raises(ImproperlyConfigured, match="lacks"):
        replace(SCHEDULES, derived=("failure_streak",))


def test_a_kind_whose_model_cannot_hold_a_cache_is_refused():
    with pytest.raises(ImproperlyConfigured, match="lacks"):
        replace(SCHEDULES, name="profiles", model=Profile)


def test_a_kind_that_does_not_delete_keeps_what_aac_stops_listing(
    aac_sim, make_sim_workspace, page_size
):
    remote, workspace = make_sim_workspace("Incremental", schedules=150)
    sync(workspace)
    before = cache_of(workspace)
    aac_sim.sim.remove_schedules(remote.id, 7)
    kept = replace(SCHEDULES, deletes_missing=False)

    run = sync_workspace(new_run(workspace), kinds=[kept])

    assert run.status == Status.SUCCEEDED
    assert run.counts_of("schedules").deleted == 0
    assert cache_of(workspace) == before


def test_a_kind_without_a_count_trusts_its_pages(
    aac_sim, make_sim_workspace, page_size
):
    remote, workspace = make_sim_workspace("Uncounted", schedules=150)
    counts = aac_sim.sim.stats.requests
    sync(workspace)
    counted = counts[(remote.id, "schedules.count")]
    aac_sim.sim.add_schedules(remote.id, 5)
    uncounted = replace(SCHEDULES, count=None)

    run = sync_workspace(new_run(workspace), kinds=[uncounted])

    assert counted == 2  # before and after the pages
    assert counts[(remote.id, "schedules.count")] == counted
    assert (run.status, run.counts_of("schedules").created) == (Status.SUCCEEDED, 5)
    assert cache_of(workspace) == aac_state(aac_sim, remote)


def test_a_kind_that_cannot_identify_an_item_unparsed_caches_each_parsed_whole(
    aac_sim, make_sim_workspace
):
    remote, workspace = make_sim_workspace("Plans only", schedules=40)

    run = sync_workspace(new_run(workspace), kinds=[PLANS])

    listed = {a.id: a.name for a in remote.assets.by_kind["plan"].values()}
    assert listed
    assert run.counts_of("plans").created == len(listed)
    cached = Plan.objects.filter(workspace=workspace).values_list("aac_id", "name")
    assert dict(cached) == listed
