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
    """Make the workspace's runs up to `now`; the first call makes its history."""
    store: RunStore = workspace.runs
    if store.until is None:
        store.until = workspace.origin - workspace.history_days * _DAY
    after = store.until
    if now <= after:
        return
    due: list[tuple] = []
    for schedule in workspace.schedules.values():
        if not schedule["enabled"]:
            continue
        targets = [
            asset
            for task in schedule["tasks"]
            if (asset := workspace.assets.of_task(task)) is not None
        ]
        for trigger in schedule["triggers"] if targets else ():
            firing = _firing(workspace, trigger, min_interval)
            for at in firing.fires(after, now) if firing else ():
                for asset in targets:
                    due.append(
                        (
                            at,
                            asset.serial,
                            asset,
                            "schedule",
                            schedule["id"],
                            schedule["createdBy"],
                        )
                    )
    for asset in workspace.assets.all():
        if asset.adhoc is not None:
            ranfrom, hours = asset.adhoc
            watcher = Watcher(key=seed * 7919 + asset.serial, hours=hours)
            runners = (asset.owner, *asset.shared_with)
            for at in watcher.fires(after, now):
                runner = runners[int(at) % len(runners)]
                due.append((at, asset.serial, asset, ranfrom, None, runner))
    due.sort(key=lambda item: (item[0], item[1]))
    for at, _, asset, ranfrom, schedule_id, run_by in due:
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


def _firing(workspace, trigger: dict, min_interval: float):
    """A trigger's firing, compiled once per workspace (triggers never change)."""
    key = trigger.get("id")
    if key not in workspace.firings:
        workspace.firings[key] = compile_trigger(trigger, min_interval=min_interval)
    return workspace.firings[key]
