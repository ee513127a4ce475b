"""The job library over HTTP: every filter, the sort and paging with counts.

Each answer is compared with the simulator's own run store, filtered the
same way: the job library lists every run as its job group, newest first
unless sorted otherwise.
"""

from datetime import UTC, datetime

import pytest

from tests.aac.simulator.world import everything, ids


def job_groups(world, keep=lambda run: True, *, newest_first=True) -> list[int]:
    runs = world.runs()
    ordered = reversed(runs) if newest_first else runs
    return [world.job_group_id(run) for run in ordered if keep(run)]


def listed(world, **filters) -> list[dict]:
    return everything(world.client.iter_job_library_pages(**filters))


def test_without_filters_it_lists_every_run_newest_first(world):
    assert ids(listed(world)) == job_groups(world)


@pytest.mark.parametrize("status", ["Complete", "Failed", "InProgress"])
def test_it_filters_by_status(world, clock, status):
    now = clock()
    wanted = job_groups(world, lambda run: run.status(now) == status)

    runs = listed(world, status=status)

    assert wanted
    assert ids(runs) == wanted
    assert {run["status"] for run in runs} == {status}


@pytest.mark.parametrize("ranfrom", ["schedule", "ui", "api"])
def test_it_filters_by_how_a_run_was_started(world, ranfrom):
    wanted = job_groups(world, lambda run: run.ranfrom == ranfrom)

    runs = listed(world, ranfrom=ranfrom)

    assert wanted
    assert ids(runs) == wanted
    assert all(
        (run["scheduleId"] is not None) == (ranfrom == "schedule") for run in runs
    )


@pytest.mark.parametrize("kind", ["plan", "flow", "workflow"])
def test_it_filters_by_what_a_run_ran(world, kind):
    wanted = job_groups(world, lambda run: run.asset.kind == kind)

    runs = listed(world, ranfor=kind)

    assert wanted
    assert ids(runs) == wanted
    assert {run["ranfor"] for run in runs} == {kind}
    assert all(run[kind]["id"] for run in runs)


@pytest.mark.parametrize("as_text", [False, True])
def test_it_filters_by_who_ran_it(world, as_text):
    person = world.runs()[-1].run_by
    wanted = job_groups(world, lambda run: run.run_by == person)

    runs = listed(world, run_by=str(person) if as_text else person)

    assert ids(runs) == wanted
    assert {run["creator"]["id"] for run in runs} == {person}


def test_it_lists_what_was_created_since_a_moment(world, clock):
    since = datetime.fromtimestamp(clock() - 6 * 3600, tz=UTC)
    wanted = job_groups(world, lambda run: run.created >= since.timestamp())

    runs = listed(world, created_since=since)

    assert 0 < len(wanted) < len(world.runs())
    assert ids(runs) == wanted


def test_it_combines_filters(world, clock):
    since = datetime.fromtimestamp(clock() - 86400, tz=UTC)
    now = clock()
    wanted = job_groups(
        world,
        lambda run: (
            run.status(now) == "Failed"
            and run.ranfrom == "schedule"
            and run.asset.kind == "plan"
            and run.created >= since.timestamp()
        ),
    )

    runs = listed(
        world, status="Failed", ranfrom="schedule", ranfor="plan", created_since=since
    )

    assert wanted
    assert ids(runs) == wanted


@pytest.mark.parametrize(
    ("sort", "newest_first"),
    [("createdAt", False), ("-createdAt", True), ("id", False), ("-id", True)],
)
def test_it_sorts(world, sort, newest_first):
    assert ids(listed(world, sort=sort)) == job_groups(world, newest_first=newest_first)


def test_it_pages_with_the_total_and_stops_at_it(world):
    every = job_groups(world)
    size = 50

    pages = list(
        world.client.iter_job_library_pages(page_size=size, include_count=True)
    )

    assert ids(everything(pages)) == every
    assert {page.total for page in pages} == {len(every)}
    assert [page.offset for page in pages] == list(range(0, len(every), size))
    assert world.requests("jobLibrary.list") == -(-len(every) // size)


def test_a_filtered_count_is_the_count_of_the_filter(world, clock):
    now = clock()
    failed = job_groups(world, lambda run: run.status(now) == "Failed")

    pages = list(
        world.client.iter_job_library_pages(
            status="Failed", page_size=10, include_count=True
        )
    )

    assert {page.total for page in pages} == {len(failed)}
    assert ids(everything(pages)) == failed


def test_new_runs_since_a_watermark_cost_one_page(world, clock):
    history = world.runs()
    watermark = datetime.fromtimestamp(history[-1].created + 1, tz=UTC)
    clock.advance(60)
    world.sim.add_runs(world.workspace.id, 7)

    pages = list(
        world.client.iter_job_library_pages(
            created_since=watermark, page_size=100, include_count=True
        )
    )

    assert [len(page) for page in pages] == [7]
    assert pages[0].total == 7
    assert world.requests("jobLibrary.list") == 1
