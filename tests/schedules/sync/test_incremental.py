"""The run history read from a watermark, against the simulator over real HTTP.

Time stands still inside each test (time-machine moves the portal's clock and
the simulator's together) and moves on only when a test shifts it, so what
AAC lists and what the cache holds can be compared exactly.
"""

import math
from datetime import timedelta

import pytest
import time_machine
from django.db.models import Max, Min
from django.utils import timezone

from aac import AACClient
from aacsim import Fault
from schedules.assets.kinds import RUNS
from schedules.assets.models import FINISHED, UNFINISHED, Plan, Run, RunHour
from schedules.connections import remove_connection
from schedules.models import Schedule, SyncRun
from schedules.sync import incremental
from schedules.sync.catalog import KINDS
from schedules.sync.incremental import OVERLAP, UNFINISHED_HORIZON
from tests.factories import make_aac_run, make_workspace
from tests.schedules.conftest import sync

pytestmark = pytest.mark.django_db

Status = SyncRun.Status
SECOND = timedelta(seconds=1)


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def windows(monkeypatch):
    """The `created_since` of every job-library listing the sync starts."""
    seen = []
    listing = AACClient.iter_job_library_pages

    def spy(client, **options):
        seen.append(options.get("created_since"))
        return listing(client, **options)

    monkeypatch.setattr(AACClient, "iter_job_library_pages", spy)
    return seen


def aac_runs(aac_sim, remote) -> dict[int, str]:
    """What AAC's job library holds now: job group id -> status."""
    sim = aac_sim.sim
    with sim.lock:
        sim.catch_up(remote)
        store, now = remote.runs, sim.clock()
        return {store.job_group_id(run): run.status(now) for run in store.runs}


def cached_runs(workspace) -> dict[int, str]:
    return dict(Run.objects.filter(workspace=workspace).values_list("aac_id", "status"))


def fingerprints(workspace) -> dict:
    """Every cached row of the workspace, by kind: what a sync may change."""
    return {
        model.__name__: sorted(
            model.objects.filter(workspace=workspace).values_list(*fields)
        )
        for model, fields in (
            (Schedule, ("aac_id", "fingerprint")),
            (Plan, ("aac_id", "fingerprint", "last_run_at", "failure_streak")),
            (Run, ("aac_id", "fingerprint")),
            (RunHour, ("hour", "status", "runs")),
        )
    }


def test_a_first_sync_caches_the_assets_and_the_history_aac_lists(
    aac_sim, make_sim_workspace, page_size, frozen
):
    remote, workspace = make_sim_workspace("First", schedules=40)

    run = sync(workspace, kinds=KINDS)

    assert (run.status, run.error_message) == (Status.SUCCEEDED, "")
    aac = aac_runs(aac_sim, remote)
    assert cached_runs(workspace) == aac
    found = run.counts_of("runs")
    assert (found.seen, found.created, found.pages) == (
        len(aac),
        len(aac),
        math.ceil((len(aac) + 1) / page_size),
    )
    plans = remote.assets.by_kind["plan"]
    assert set(Plan.objects.values_list("aac_id", flat=True)) == set(plans)
    for plan in Plan.objects.filter(workspace=workspace):
        latest = remote.runs.latest.get(plans[plan.aac_id].serial)
        status = latest.status(aac_sim.sim.clock()) if latest else ""
        assert plan.last_run_status == status
    hourly = sum(
        RunHour.objects.filter(workspace=workspace).values_list("runs", flat=True)
    )
    assert hourly == len(aac)
    assert not Run.objects.filter(pending=True).exists()


def test_a_first_sync_reads_no_further_back_than_the_retention(
    aac_sim, make_sim_workspace, page_size, frozen, settings
):
    settings.AAC_RUN_RETENTION_DAYS = 2
    remote, workspace = make_sim_workspace("Retention", schedules=40)

    sync(workspace, kinds=KINDS)

    cutoff = (timezone.now() - timedelta(days=2)).timestamp()
    recent = {
        remote.runs.job_group_id(run)
        for run in remote.runs.runs
        if run.created >= cutoff
    }
    assert set(cached_runs(workspace)) == recent
    assert len(recent) < len(remote.runs.runs)


def test_a_later_sync_fetches_the_new_runs_and_the_unfinished_not_the_history(
    aac_sim, make_sim_workspace, page_size, frozen, windows
):
    remote, workspace = make_sim_workspace("Later", schedules=40)
    first = sync(workspace, kinds=KINDS).counts_of("runs")
    stored = Run.objects.filter(workspace=workspace)
    newest = stored.aggregate(at=Max("aac_created_at"))["at"]
    frozen.shift(timedelta(minutes=15))
    early = stored.filter(
        aac_created_at__lt=newest - OVERLAP,
        aac_created_at__gte=timezone.now() - UNFINISHED_HORIZON,
        status__in=UNFINISHED,
    )
    oldest = early.aggregate(at=Min("aac_created_at"))["at"]
    aac_sim.sim.add_runs(remote.id, 250)
    windows.clear()

    run = sync(workspace, kinds=KINDS)

    assert windows == [newest - OVERLAP] + ([oldest] if oldest else [])
    found = run.counts_of("runs")
    aac = aac_runs(aac_sim, remote)
    assert found.seen == stored.filter(aac_created_at__gte=min(windows)).count()
    assert found.pages < first.pages / 2
    assert found.created == len(aac) - first.seen >= 250
    assert cached_runs(workspace) == aac


def test_runs_aac_lists_late_are_caught_within_the_overlap_only(
    aac_sim, make_sim_workspace, page_size, frozen
):
    remote, workspace = make_sim_workspace("Late", schedules=40)
    sync(workspace, kinds=KINDS)
    frozen.shift(timedelta(minutes=5))
    aac_sim.sim.add_runs(remote.id, 3)
    late = timezone.now()
    frozen.shift(timedelta(minutes=3))
    aac_sim.sim.add_runs(remote.id, 2)
    sync(workspace, kinds=KINDS)
    stored = Run.objects.filter(workspace=workspace)
    # No unfinished run to widen the window: only the overlap reaches back.
    stored.filter(status__in=UNFINISHED).update(status="Complete")
    # As if AAC had listed these two only after the last sync: one created
    # three minutes before the newest, and one older than any window.
    within = stored.filter(aac_created_at__range=(late - SECOND, late + SECOND))[0]
    before = stored.filter(aac_created_at__lt=late - UNFINISHED_HORIZON)[0]
    Run.objects.filter(pk__in=[within.pk, before.pk]).delete()

    sync(workspace, kinds=KINDS)

    cached = cached_runs(workspace)
    assert within.aac_id in cached
    assert before.aac_id not in cached


def test_unfinished_runs_are_read_again_until_they_finish(
    aac_sim, make_sim_workspace, page_size, frozen
):
    remote, workspace = make_sim_workspace("Unfinished", schedules=40)
    # Runs started now are unfinished whatever the history holds at this hour.
    aac_sim.sim.add_runs(remote.id, 20)
    sync(workspace, kinds=KINDS)
    unfinished = set(
        Run.objects.filter(workspace=workspace, status__in=UNFINISHED).values_list(
            "aac_id", flat=True
        )
    )
    assert unfinished

    for _hour in range(7):  # the simulator's longest runs end within 6.2 hours
        frozen.shift(timedelta(hours=1))
        sync(workspace, kinds=KINDS)
        assert cached_runs(workspace) == aac_runs(aac_sim, remote)

    finished = Run.objects.filter(aac_id__in=unfinished, workspace=workspace)
    assert {run.status for run in finished} <= set(FINISHED)
    assert all(run.finished_at and run.duration_seconds is not None for run in finished)


def test_a_failed_page_of_runs_applies_nothing(
    aac_sim, make_sim_workspace, page_size, frozen
):
    remote, workspace = make_sim_workspace("Failed page", schedules=40)
    sync(workspace, kinds=KINDS)
    before = fingerprints(workspace)
    frozen.shift(timedelta(hours=1))
    aac_sim.sim.add_runs(remote.id, 250)
    aac_sim.sim.touch_schedules(remote.id, 3)
    aac_sim.sim.faults.add(
        Fault(
            kind="status",
            status=503,
            workspace=remote.id,
            endpoint="jobLibrary.list",
            after=1,
        )
    )

    run = sync(workspace, kinds=KINDS)

    assert run.status == Status.FAILED
    assert "503" in run.error_message
    assert fingerprints(workspace) == before
    aac_sim.sim.faults.clear()
    assert sync(workspace, kinds=KINDS).status == Status.SUCCEEDED
    assert cached_runs(workspace) == aac_runs(aac_sim, remote)


def test_a_long_history_is_caught_up_over_several_syncs_oldest_first(
    aac_sim, make_sim_workspace, page_size, frozen, monkeypatch
):
    monkeypatch.setattr(incremental, "MAX_ITEMS", 300)
    remote, workspace = make_sim_workspace("Catch up", schedules=40)
    aac = aac_runs(aac_sim, remote)
    oldest_first = sorted(aac)

    first = sync(workspace, kinds=KINDS).counts_of("runs")

    assert (first.pages, first.seen) == (3, 300)
    assert sorted(cached_runs(workspace)) == oldest_first[:300]
    for _ in range(math.ceil(len(aac) / 300)):
        sync(workspace, kinds=KINDS)
    assert cached_runs(workspace) == aac


def test_new_runs_are_read_first_however_many_still_run(
    aac_sim, make_sim_workspace, page_size, frozen, monkeypatch
):
    remote, workspace = make_sim_workspace("Crowded", schedules=150)
    while sync(workspace, kinds=KINDS).counts_of("runs").created:
        pass
    # As if every run of the last eleven hours were still running.
    crowd = Run.objects.filter(
        workspace=workspace, aac_created_at__gte=timezone.now() - timedelta(hours=11)
    )
    assert crowd.update(status="InProgress") > 200
    frozen.shift(timedelta(hours=1))
    aac_sim.sim.add_runs(remote.id, 120)
    # Room for the new runs, not for the crowd too: it waits its turn.
    monkeypatch.setattr(incremental, "MAX_ITEMS", 150)

    run = sync(workspace, kinds=KINDS)

    assert run.status == Status.SUCCEEDED
    assert set(aac_runs(aac_sim, remote)) - set(cached_runs(workspace)) == set()


@pytest.mark.parametrize(
    ("rows", "new", "unfinished"),
    [
        # Nothing stored: the retention.
        ([], "retention", None),
        # The newest run less the overlap.
        (
            [(-50, "Complete"), (-20, "Failed")],
            -20 * 60 - OVERLAP.total_seconds(),
            None,
        ),
        # And back to the oldest unfinished run before it.
        (
            [(-300, "InProgress"), (-20, "Complete")],
            -20 * 60 - OVERLAP.total_seconds(),
            -300 * 60,
        ),
        # ... within the horizon only.
        (
            [(-13 * 60, "Created"), (-20, "Complete")],
            -20 * 60 - OVERLAP.total_seconds(),
            None,
        ),
        # An unfinished run the first window reads anyway is no second window.
        (
            [(-5, "InProgress"), (-4, "Complete")],
            -4 * 60 - OVERLAP.total_seconds(),
            None,
        ),
        # A run stamped in the future does not move the window past now.
        ([(30, "Complete")], -OVERLAP.total_seconds(), None),
    ],
)
def test_the_windows_start_at_the_watermark_and_the_oldest_unfinished_run(
    rows, new, unfinished, settings, frozen
):
    settings.AAC_RUN_RETENTION_DAYS = 90
    workspace, now = make_workspace(), timezone.now().replace(microsecond=0)
    for minutes, status in rows:
        make_aac_run(workspace, status=status, created=now + timedelta(minutes=minutes))

    windows = RUNS.window.windows(Run.objects.filter(workspace=workspace), now=now)

    if new == "retention":
        assert windows.new == now - timedelta(days=90)
    else:
        assert windows.new == now + timedelta(seconds=new)
    if unfinished is None:
        assert windows.unfinished is None
    else:
        assert windows.unfinished == now + timedelta(seconds=unfinished)


def test_the_history_is_the_union_of_what_each_connection_sees(
    aac_sim, make_sim_workspace, connect_person, page_size, frozen
):
    remote, workspace = make_sim_workspace(
        "Per owner runs", schedules=120, people=6, list_scope="owner"
    )
    admin, *others = (p["id"] for p in remote.people if not p["isDisabled"])
    connections = [workspace.connections.get()] + [
        connect_person(remote, workspace, person) for person in others[:2]
    ]
    people = [admin, *others[:2]]

    run = sync(workspace, kinds=KINDS)

    assert run.status == Status.SUCCEEDED, run.error_message
    store = remote.runs
    seen = {
        store.job_group_id(r): [remote.sees_run(r, person) for person in people]
        for r in store.runs
    }
    expected = {key: sees for key, sees in seen.items() if any(sees)}
    masks = dict(
        Run.objects.filter(workspace=workspace).values_list("aac_id", "seen_by")
    )
    assert set(masks) == set(expected) != set(seen)
    for key, sees in expected.items():
        bits = sum(c.bit for c, saw in zip(connections, sees, strict=True) if saw)
        assert masks[key] == bits
    visible = {
        plan.id for person in people for plan in remote.visible_assets("plan", person)
    }
    assert set(Plan.objects.values_list("aac_id", flat=True)) == visible

    removed = remove_connection(connections[2])

    only_theirs = [k for k, sees in expected.items() if sees == [False, False, True]]
    assert removed.deleted["runs"] == len(only_theirs) > 0
    assert not Run.objects.filter(aac_id__in=only_theirs).exists()
