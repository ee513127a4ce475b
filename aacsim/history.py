"""Run history: runs made from the schedules as the simulator's clock moves.

History starts `history_days` before the workspace was added and is made
lazily, up to the clock, whenever something asks for runs (docs/aac-api.md,
What the simulator must do): every enabled schedule's triggers start their
plan, flow and workflow tasks (`ranfrom: "schedule"`, run by the schedule's
owner), and some assets are also started by hand (`"ui"`) or by a script
(`"api"`). A run's outcome depends only on its asset and instant: most
complete, some assets fail often, some fail for days in a row with one
message, some run for hours, a few are canceled.
"""

import math
from dataclasses import dataclass

from aacsim.assets import Asset
from aacsim.chance import units
from aacsim.firing import Watcher, compile_trigger
from aacsim.runs import Run, RunStore, Script

_DAY = 86400


@dataclass(frozen=True)
class Outcome:
    started: float | None
    finished: float
    outcome: str
    message: str | None


def outcome(asset: Asset, created: float, *, seed: int, script: Script | None):
    """How a run created at `created` goes: scripted, else drawn from its key."""
    queue, spread, fate, pick = units(seed, asset.serial, int(created * 1000))
    queued = 1 + queue * 30 if queue < 0.9 else 60 + queue * 600
    duration = asset.typical_seconds * (0.5 + spread * 1.5)
    streak = asset.streak
    if script is not None:
        queued = queued if script.queued is None else script.queued
        duration = duration if script.duration is None else script.duration
        status, share = script.status, 1.0
        message = None
        if status == "Failed":
            message = script.message or asset.failure_message(pick)
    elif streak is not None and streak[0] <= created < streak[1]:
        status, message, share = "Failed", streak[2], 0.2
    elif fate < asset.fail_rate:
        status, message, share = "Failed", asset.failure_message(pick), 0.4
    elif fate > 0.99:
        status, message, share = "Canceled", None, 0.5
    else:
        status, message, share = "Complete", None, 1.0
    started = created + queued
    return Outcome(started, started + duration * share, status, message)


def record(
    store: RunStore,
    asset: Asset,
    *,
    created: float,
    seed: int,
    ranfrom: str,
    schedule_id: int | None,
    run_by: int,
) -> Run:
    """Add one run to the store, taking the asset's script if one is set."""
    script = store.scripts.pop(asset.serial, None)
    result = outcome(asset, created, seed=seed, script=script)
    return store.add(
        asset,
        created=created,
        started=result.started,
        finished=result.finished,
        outcome=result.outcome,
        message=result.message,
        ranfrom=ranfrom,
        schedule_id=schedule_id,
        run_by=run_by,
    )


def catch_up(workspace, now: float, *, seed: int, min_interval: float) -> None:
    """Make the workspace's runs up to `now`; the first call makes its history.

    Each source (a trigger, or an asset's hand-started runs) remembers when it
    fires next, so a catch-up a moment later touches only what is due.
    """
    store: RunStore = workspace.runs
    if store.until is None:
        store.until = workspace.origin - workspace.history_days * _DAY
    after = store.until
    if now <= after:
        return
    due: list[tuple] = []
    for schedule in workspace.schedules.values():
        if schedule["enabled"]:
            due.extend(_scheduled(workspace, schedule, after, now, min_interval))
    for asset in workspace.assets.run_by_hand:
        due.extend(_by_hand(workspace, asset, after, now, seed))
    due.sort(key=lambda item: (item[0], item[1].serial))
    for at, asset, ranfrom, schedule_id, run_by in due:
        record(
            store,
            asset,
            created=at,
            seed=seed,
            ranfrom=ranfrom,
            schedule_id=schedule_id,
            run_by=run_by,
        )
    store.until = now


def _scheduled(workspace, schedule: dict, after: float, now: float, interval: float):
    """(instant, asset, "schedule", schedule id, owner) of each task each time
    one of the schedule's triggers fired in (after, now]."""
    targets = None
    for trigger in schedule["triggers"]:
        key = trigger.get("id")
        if workspace.next_fire.get(key, -math.inf) > now:
            continue
        if key not in workspace.firings:
            workspace.firings[key] = compile_trigger(trigger, min_interval=interval)
        if targets is None:
            tasks = schedule["tasks"]
            targets = [a for t in tasks if (a := workspace.assets.of_task(t))]
        for at in _fires(workspace, key, workspace.firings[key], after, now):
            for asset in targets:
                yield at, asset, "schedule", schedule["id"], schedule["createdBy"]


def _by_hand(workspace, asset, after: float, now: float, seed: int):
    """(instant, asset, "ui" | "api", None, who) of the asset's runs started
    by hand or by a script in (after, now], by its owner or a collaborator."""
    key = ("adhoc", asset.serial)
    if workspace.next_fire.get(key, -math.inf) > now:
        return
    ranfrom, hours = asset.adhoc
    watcher = Watcher(key=seed * 7919 + asset.serial, hours=hours)
    runners = (asset.owner, *asset.shared_with)
    for at in _fires(workspace, key, watcher, after, now):
        yield at, asset, ranfrom, None, runners[int(at) % len(runners)]


def _fires(workspace, key, firing, after: float, now: float) -> list[float]:
    """When `firing` fired in (after, now]; notes when it fires next (or when
    to look again, a day on), so later catch-ups skip it until then."""
    if firing is None:
        workspace.next_fire[key] = math.inf
        return []
    upcoming = firing.fires(now, now + _DAY)
    workspace.next_fire[key] = upcoming[0] if upcoming else now + _DAY
    return firing.fires(after, now)
