"""Deterministic fake AAC data: workspace identities, people and schedules.

Each workspace draws everything from its own `random.Random` seeded with
(simulator seed, workspace index), so the same seed always yields the same data
whatever else the simulator did before. Shapes follow the published v4 schedule
model (docs/aac-api.md, Schedules), with every trigger and task variant, unicode
names, disabled owners and, unless switched off, a small share of oddities a
client must survive: unknown trigger or task kinds, huge crons, no creator.
"""

import random
import time
import uuid
from typing import Any, Protocol

from aacsim import vocabulary


class AssetPicker(Protocol):
    """What `make_schedule` needs of a workspace's assets (`aacsim.assets.Assets`),
    named here so that this module, which assets import, imports nothing back."""

    def pick(self, kind: str, owner: int) -> Any: ...


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

TRIGGER_KINDS = (
    "cron",
    "daily",
    "hourly",
    "weekly",
    "monthly",
    "monthlyWeekday",
    "oneTime",
    "fileWatcher",
    "tableWatcher",
)
_TRIGGER_WEIGHTS = (30, 20, 10, 12, 6, 4, 3, 8, 7)
TASK_KINDS = (
    "runFlow",
    "runPlan",
    "runWorkflow",
    "runReport",
    "runAutoInsights",
    "runLocationIntelligence",
)
_TASK_WEIGHTS = (35, 20, 35, 4, 3, 3)
UNKNOWN_TRIGGER_KIND = "eventBased"
UNKNOWN_TASK_KIND = "runMachineLearningPipeline"

# Generated timestamps fall between these instants, independent of the clock.
EPOCH_START = 1_640_995_200  # 2022-01-01T00:00:00Z
EPOCH_END = 1_751_241_600  # 2025-06-30T00:00:00Z


def iso(seconds: float) -> str:
    """Format epoch seconds the way AAC does: `2025-03-01T10:00:00.000Z`."""
    whole = int(seconds)
    millis = int((seconds - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def ulid(rng: random.Random, millis: int | None = None) -> str:
    """A 26-character ULID (48-bit time, 80 random bits) in Crockford base32."""
    if millis is None:
        millis = rng.randint(EPOCH_START, EPOCH_END) * 1000
    value = (millis << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def workspace_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"aacsim:{seed}:{index}")


def workspace_identity(rng: random.Random, *, index: int, name: str) -> dict:
    """Id, gid, OAuth client id and API project id of the index-th workspace.

    Ranges are disjoint per index so ids never collide inside one simulator.
    The OAuth client id and the gateway project id are different values, as
    in AAC.
    """
    created = rng.randint(EPOCH_START, EPOCH_END)
    return {
        "id": 1000 * (index + 1) + rng.randint(0, 999),
        "gid": ulid(rng, created * 1000),
        "name": name,
        "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "project_id": "".join(rng.choices(CROCKFORD.lower(), k=32)),
        "created_at": created,
        "tier": rng.choice(("professional_cloud22", "enterprise_cloud22")),
        "first_schedule_id": 1_000_000 * (index + 1) + rng.randint(1, 999),
    }


def make_people(rng: random.Random, *, count: int, workspace_id: int) -> list[dict]:
    """People of a workspace; the first is an active admin, about 10% disabled."""
    people = []
    for number in range(max(count, 1)):
        name, handle = vocabulary.PEOPLE[number % len(vocabulary.PEOPLE)]
        lap = number // len(vocabulary.PEOPLE)
        disabled = number > 0 and rng.random() < 0.1
        people.append(
            {
                "id": workspace_id * 100 + number + 1,
                "email": f"{handle}{lap or ''}@example.com",
                "name": f"{name} {lap + 1}" if lap else name,
                "isDisabled": disabled,
                "state": "disabled" if disabled else "active",
            }
        )
    return people


def person_details(rng: random.Random, *, number: int, disabled: bool, now: float):
    """What `GET /v4/people` adds to a schedule's `creator`: whether the person
    is an admin (the first always is) and when they last logged in, if ever."""
    if number > 0 and rng.random() < 0.05:
        last_login = None
    else:
        days_ago = rng.uniform(30, 400) if disabled else rng.uniform(0, 30)
        last_login = iso(now - days_ago * 86400)
    return {"isAdmin": number == 0 or rng.random() < 0.1, "lastLoginTime": last_login}


def _cron(rng: random.Random) -> str:
    minute, hour = rng.randrange(60), rng.randrange(24)
    if rng.random() < 0.8:
        return rng.choice(
            (
                f"{minute} {hour} * * *",
                f"{minute} {hour} * * 1-5",
                f"*/{rng.choice((5, 10, 15, 30))} * * * *",
                f"{minute} */{rng.choice((2, 3, 4, 6))} * * *",
                f"{minute} {hour} {rng.randint(1, 28)} * *",
                f"{minute} {hour},{(hour + 12) % 24} * * MON-FRI",
            )
        )
    # AAC's "modified cron": Quartz style, seconds first, `?` for "no value".
    return rng.choice(
        (
            f"0 {minute} {hour} ? * MON-FRI",
            f"0 {minute} {hour} ? * 6L",
            f"0 {minute} {hour} L * ?",
            f"0 {minute} {hour} ? * 2#1 *",
            f"0 0/{rng.choice((5, 15, 30))} * * * ?",
        )
    )


def huge_cron() -> str:
    """A valid but absurdly long cron expression (every field listed out)."""
    return " ".join(
        (
            ",".join(map(str, range(60))),
            ",".join(map(str, range(24))),
            ",".join(map(str, range(1, 32))),
            "*",
            "*",
        )
    )


def _time_based(rng: random.Random, kind: str) -> dict:
    hour, minute = rng.randrange(24), rng.randrange(60)
    rule: dict
    if kind == "cron":
        rule = {"expression": _cron(rng)}
    elif kind == "daily":
        rule = {"hourOfDay": hour, "minuteOfHour": minute}
        if rng.random() < 0.3:
            rule["onlyWorkingDays"] = True
    elif kind == "hourly":
        rule = {"minuteOfHour": minute}
    elif kind == "weekly":
        days = sorted(rng.sample(range(7), rng.randint(1, 3)))
        rule = {
            "hourOfDay": hour,
            "minuteOfHour": minute,
            "daysOfWeek": [vocabulary.DAYS[d] for d in days],
        }
    elif kind == "monthly":
        rule = {
            "hourOfDay": hour,
            "minuteOfHour": minute,
            "daysOfMonth": sorted(rng.sample(range(1, 29), rng.randint(1, 2))),
        }
    elif kind == "monthlyWeekday":
        rule = {
            "hourOfDay": hour,
            "minuteOfHour": minute,
            "dayOfWeek": rng.choice(vocabulary.DAYS),
            "nthWeekDayOfMonth": rng.randint(1, 4),
        }
    else:
        rule = {"utcDateTime": iso(rng.randint(EPOCH_END, EPOCH_END + 86400 * 200))}
    timed = {kind: rule}
    if kind != "oneTime":
        timed["timezone"] = rng.choice(vocabulary.TIMEZONES)
    if kind in ("daily", "hourly") and rng.random() < 0.2:
        start = rng.randint(EPOCH_START, EPOCH_END)
        timed["utcStartDateTime"] = iso(start)
        timed["utcEndDateTime"] = iso(start + 86400 * rng.randint(30, 720))
    return timed


def _trigger(rng: random.Random, kind: str, trigger_id: int) -> dict:
    if kind == "fileWatcher":
        return {
            "id": trigger_id,
            "fileWatcher": {
                "path": f"/incoming/{rng.choice(('sales', 'hr', 'ops'))}/*.csv",
                "interval": rng.choice((60, 300, 900)),
                "eventType": rng.choice(("fileCreated", "fileUpdated")),
                "storageType": rng.choice(vocabulary.STORAGE_TYPES),
            },
        }
    if kind == "tableWatcher":
        watcher = {
            "connectionId": rng.randint(100, 999),
            "dataSourceType": rng.choice(vocabulary.SOURCE_TYPES),
            "tableName": rng.choice(("ORDERS", "customers", "ledger_entries")),
            "operationType": rng.choice(("insert", "update", "any")),
        }
        if rng.random() < 0.5:
            watcher["schema"] = rng.choice(("PUBLIC", "analytics"))
        if rng.random() < 0.5:
            watcher["interval"] = rng.choice((300, 900))
        return {"id": trigger_id, "tableWatcher": watcher}
    if kind == UNKNOWN_TRIGGER_KIND:
        return {"id": trigger_id, kind: {"source": "webhook", "topic": "files.ready"}}
    return {"id": trigger_id, "timeBased": _time_based(rng, kind)}


def _task(
    rng: random.Random, kind: str, task_id: int, workspace_id: int, asset_for
) -> dict:
    """A task; `asset_for(kind, ...)` supplies a plan, flow or workflow that
    exists in the workspace, else the asset is made up on the spot."""
    if asset_for is not None and kind in ("runFlow", "runPlan", "runWorkflow"):
        return {"id": task_id, kind: asset_for(kind)}
    name = rng.choice(vocabulary.SCHEDULE_NAMES)
    asset: dict
    if kind == "runFlow":
        asset = {"flowId": rng.randint(10_000, 99_999), "name": f"{name} flow"}
    elif kind == "runPlan":
        asset = {"planId": rng.randint(1_000, 9_999), "name": f"{name} plan"}
    elif kind == "runWorkflow":
        asset = {
            "workflowId": ulid(rng),
            "name": f"{name} workflow",
            "type": rng.choice(("CLOUD", "CLOUD", "DESKTOP")),
        }
    elif kind == "runReport":
        asset = {"reportId": rng.randint(100, 999), "name": f"{name} report"}
    elif kind == "runAutoInsights":
        asset = {"missionId": rng.randint(100, 999), "name": f"{name} insights"}
    elif kind == "runLocationIntelligence":
        asset = {"projectId": ulid(rng), "name": f"{name} map"}
    else:
        asset = {"pipelineId": ulid(rng), "name": f"{name} model"}
    asset["workspaceId"] = workspace_id
    return {"id": task_id, kind: asset}


def make_schedule(
    rng: random.Random,
    *,
    schedule_id: int,
    position: int,
    workspace_id: int,
    people: list[dict],
    oddities: bool,
    assets: AssetPicker | None = None,
) -> dict:
    """One schedule. The first few positions cycle through every trigger and
    task kind, so even a small workspace shows each variant. With `assets`,
    its plan, flow and workflow tasks run assets of its owner from there.

    The first schedule belongs to the first person (the admin, whose pair
    `new_token_pair` makes by default), so that pair may change it.
    """
    creator = people[0] if position == 0 else rng.choice(people)
    asset_for = None
    if assets is not None:

        def asset_for(task_kind: str) -> dict:
            kind = task_kind[len("run") :].lower()
            asset = assets.pick(kind, creator["id"])
            return asset.task_fields(workspace_id)

    if position < len(TRIGGER_KINDS):
        trigger_kind = TRIGGER_KINDS[position]
        task_kind = TASK_KINDS[position % len(TASK_KINDS)]
    else:
        trigger_kind = rng.choices(TRIGGER_KINDS, _TRIGGER_WEIGHTS)[0]
        task_kind = rng.choices(TASK_KINDS, _TASK_WEIGHTS)[0]
    odd = rng.random() if oddities else 1.0
    if odd < 0.005:
        trigger_kind = UNKNOWN_TRIGGER_KIND
    elif odd < 0.01:
        task_kind = UNKNOWN_TASK_KIND

    triggers = [_trigger(rng, trigger_kind, schedule_id * 10 + 1)]
    if 0.01 <= odd < 0.015:
        triggers[0] = {
            "id": schedule_id * 10 + 1,
            "timeBased": {"cron": {"expression": huge_cron()}, "timezone": "UTC"},
        }
    if rng.random() < 0.05:
        triggers.append(_trigger(rng, "daily", schedule_id * 10 + 2))
    tasks = [_task(rng, task_kind, schedule_id * 10 + 1, workspace_id, asset_for)]
    if rng.random() < 0.05:
        second = _task(rng, "runFlow", schedule_id * 10 + 2, workspace_id, asset_for)
        tasks.append(second)

    created = rng.randint(EPOCH_START, EPOCH_END) + rng.random()
    updated = rng.uniform(created, EPOCH_END)
    if rng.random() < 0.4:
        triggers[0]["lastExecutionTime"] = iso(rng.uniform(updated, EPOCH_END))
    enabled = rng.random() >= 0.15
    base_name = rng.choice(vocabulary.SCHEDULE_NAMES)
    schedule = {
        "id": schedule_id,
        "name": base_name if rng.random() < 0.5 else f"{base_name} {position + 1}",
        "enabled": enabled,
        "disableReason": None if enabled else rng.choice(vocabulary.DISABLE_REASONS),
        "triggers": triggers,
        "tasks": tasks,
        "createdAt": iso(created),
        "updatedAt": iso(updated),
        "createdBy": creator["id"],
        "updatedBy": rng.choice(people)["id"],
        "creator": dict(creator),
    }
    if 0.015 <= odd < 0.02:
        del schedule["creator"]
    return schedule
