"""Run history: made from the schedules, lazily, as the clock moves."""

from collections import defaultdict
from itertools import pairwise
from typing import NamedTuple

import pytest

from aacsim import Simulator
from aacsim.workspace import Caller, SimWorkspace
from tests.clocks import Clock

DAY = 86400


def simulator(clock: Clock, **options) -> Simulator:
    return Simulator(seed=4, issuer="https://sim.test/as", clock=clock, **options)


def runs_of(workspace, schedule_id: int) -> list:
    return [run for run in workspace.runs.runs if run.schedule_id == schedule_id]


def hourly_schedule(workspace) -> dict:
    return next(
        s
        for s in workspace.schedules.values()
        if s["enabled"]
        and len(s["triggers"]) == 1
        and len(s["tasks"]) == 1
        and "hourly" in s["triggers"][0].get("timeBased", {})
        and "utcEndDateTime" not in s["triggers"][0]["timeBased"]
        and workspace.assets.of_task(s["tasks"][0])
    )


class Hourly(NamedTuple):
    """A workspace of 200 schedules on a hand-moved clock, and one of its
    hourly schedules."""

    clock: Clock
    sim: Simulator
    workspace: SimWorkspace
    schedule: dict


@pytest.fixture
def hourly() -> Hourly:
    clock = Clock()
    sim = simulator(clock)
    workspace = sim.add_workspace(name="W", schedules=200)
    return Hourly(clock, sim, workspace, hourly_schedule(workspace))


def test_it_gives_an_hourly_schedule_hourly_runs_over_the_history_window(hourly):
    clock, sim, workspace, schedule = hourly

    sim.run_count(workspace.id)

    runs = runs_of(workspace, schedule["id"])
    assert len(runs) in (7 * 24, 7 * 24 + 1)
    assert {b.created - a.created for a, b in pairwise(runs)} == {3600}
    assert runs[0].created > clock.now - 7 * DAY
    assert {(r.ranfrom, r.run_by) for r in runs} == {
        ("schedule", schedule["createdBy"])
    }


def test_it_reaches_back_as_far_as_asked():
    clock = Clock()
    sim = simulator(clock, history_days=1)
    short = sim.add_workspace(name="Short", schedules=50)
    long = sim.add_workspace(name="Long", schedules=50, history_days=3)

    sim.run_count(short.id)
    sim.run_count(long.id)

    assert short.runs.created[0] > clock.now - DAY
    assert clock.now - 3 * DAY < long.runs.created[0] < clock.now - 2 * DAY


def test_it_makes_new_runs_as_the_clock_advances(hourly):
    clock, sim, workspace, _ = hourly
    before = sim.run_count(workspace.id)
    then = clock.now

    clock.advance(6 * 3600)
    after = sim.run_count(workspace.id)

    fresh = workspace.runs.runs[before:]
    assert after - before > 6 * 5
    assert all(then < run.created <= clock.now for run in fresh)
    assert workspace.runs.created == sorted(workspace.runs.created)


def test_it_makes_the_same_history_in_pieces_as_at_once():
    piecewise_clock, once_clock = Clock(), Clock()
    piecewise, once = simulator(piecewise_clock), simulator(once_clock)
    a = piecewise.add_workspace(name="W", schedules=150)
    b = once.add_workspace(name="W", schedules=150)

    for _ in range(5):
        piecewise.run_count(a.id)
        piecewise_clock.advance(3 * 3600 + 17)
    once_clock.now = piecewise_clock.now

    def summary(sim, workspace):
        sim.run_count(workspace.id)
        now = sim.clock()
        return [
            (r.created, r.asset.id, r.status(now), r.message, r.schedule_id)
            for r in workspace.runs.runs
        ]

    assert summary(piecewise, a) == summary(once, b)


def test_it_mixes_outcomes_long_runs_and_how_runs_were_started():
    clock = Clock()
    sim = simulator(clock)
    workspace = sim.add_workspace(name="W", schedules=400)
    sim.run_count(workspace.id)
    runs = workspace.runs.runs
    by_asset = defaultdict(list)
    for run in runs:
        by_asset[run.asset.serial].append(run.status(clock.now))

    statuses = {run.status(clock.now) for run in runs}
    assert statuses == {"Created", "InProgress", "Complete", "Failed", "Canceled"}
    assert {run.ranfrom for run in runs} == {"schedule", "ui", "api"}
    assert {run.asset.kind for run in runs} == {"plan", "flow", "workflow"}
    assert all(run.message for run in runs if run.status(clock.now) == "Failed")
    assert any(run.finished - run.started > 3600 for run in runs if run.started)
    rates = [s.count("Failed") / len(s) for s in by_asset.values() if len(s) >= 20]
    assert min(rates) < 0.1 < 0.3 < max(rates)


def test_some_assets_fail_for_days_in_a_row_with_one_message():
    clock = Clock()
    sim = simulator(clock)
    workspace = sim.add_workspace(name="W", schedules=400)
    sim.run_count(workspace.id)
    in_streak = defaultdict(list)
    for run in workspace.runs.runs:
        streak = run.asset.streak
        if streak and streak[0] <= run.created < streak[1]:
            in_streak[run.asset.serial].append(run)

    longest = max(
        in_streak.values(), key=lambda runs: runs[-1].created - runs[0].created
    )
    assert longest[-1].created - longest[0].created > DAY
    assert {run.outcome for run in longest} == {"Failed"}
    assert len({run.message for run in longest}) == 1


def test_a_disabled_schedule_makes_no_runs_until_enabled_again(hourly):
    clock, sim, workspace, schedule = hourly
    owner = Caller(workspace=workspace, person_id=schedule["createdBy"])
    sim.run_count(workspace.id)

    sim.set_enabled(owner, schedule["id"], False)
    clock.advance(DAY)
    sim.set_enabled(owner, schedule["id"], True)
    paused = len(runs_of(workspace, schedule["id"]))
    clock.advance(DAY)
    sim.run_count(workspace.id)
    resumed = len(runs_of(workspace, schedule["id"]))

    assert paused in (7 * 24, 7 * 24 + 1)
    assert resumed - paused == 24


def test_a_deleted_schedule_makes_no_more_runs(hourly):
    clock, sim, workspace, schedule = hourly
    sim.run_count(workspace.id)

    sim.remove_schedules(workspace.id, [schedule["id"]])
    clock.advance(DAY)
    sim.run_count(workspace.id)

    assert max(r.created for r in runs_of(workspace, schedule["id"])) < clock.now - DAY


@pytest.mark.parametrize("n", [0, 500])
def test_it_adds_runs_on_demand(n):
    clock = Clock()
    sim = simulator(clock)
    workspace = sim.add_workspace(name="W", schedules=40)
    before = sim.run_count(workspace.id)

    total = sim.add_runs(workspace.id, n)

    added = workspace.runs.runs[before:]
    assert total - before == n == len(added)
    assert all(run.created == clock.now for run in added)
    assert all(run.ranfrom == "schedule" and run.schedule_id for run in added)
