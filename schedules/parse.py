"""AAC schedule JSON → `Schedule` column values, strictly and without ever failing.

AAC's published model is followed where it is known (docs/aac-api.md,
Schedules); anything else is kept, not guessed: a schedule with an unknown
trigger or task kind, a wrong type or an unreadable date is still stored, with
kind "unknown" or "other", its raw JSON and a note, and counted by the sync as
unparsed. Only an item without a usable id cannot be stored (there is nothing
to key it by); `parse_schedule` returns None for it and the sync counts it as
ignored.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import models

from schedules.models import Schedule, TaskKind, TriggerKind
from schedules.triggers.clock import parse_instant
from schedules.triggers.reader import Trigger, read_trigger

# Part of every fingerprint: bump it when the parser changes what it makes of
# the same JSON, so the next sync rewrites every row once.
PARSER_VERSION = "2"

TASK_KINDS = {
    "runFlow": (TaskKind.FLOW, "flowId"),
    "runPlan": (TaskKind.PLAN, "planId"),
    "runWorkflow": (TaskKind.WORKFLOW, "workflowId"),
    "runReport": (TaskKind.REPORT, "reportId"),
    # Published kinds whose id field is not: their one "...Id" field.
    "runAutoInsights": (TaskKind.AUTO_INSIGHTS, None),
    "runLocationIntelligence": (TaskKind.LOCATION_INTELLIGENCE, None),
}

# The note of a schedule with several triggers: its columns hold the first
# alone, so the upcoming load (`schedules.load`) reads its raw triggers.
MANY_TRIGGERS = "triggers; the kind shown is the first's"

_LIMITS = {
    field.name: field.max_length
    for field in Schedule._meta.get_fields()
    if isinstance(field, models.CharField)
}


@dataclass(frozen=True)
class ParsedSchedule:
    aac_id: int
    fields: dict
    # `raw` as compact JSON with sorted keys: what the fingerprint digests,
    # and what the sync stores (the same document, serialised once).
    raw_json: str
    fingerprint: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Identity:
    """An item's id and digest, read without parsing the rest of it: the sync
    compares the digest with the stored one and parses only what changed."""

    aac_id: int
    raw_json: str
    fingerprint: str


def identify(raw: object) -> Identity | None:
    """The id and digest of one item of a list keyed by a positive integer id
    (schedules, people); None when it has no usable id."""
    if not isinstance(raw, dict):
        return None
    aac_id = raw.get("id")
    if type(aac_id) is not int or not 0 < aac_id < 2**63:
        return None
    raw_json = canonical_json(raw)
    return Identity(aac_id=aac_id, raw_json=raw_json, fingerprint=digest(raw_json))


def parse_schedule(
    raw: object, *, now: datetime, identity: Identity | None = None
) -> ParsedSchedule | None:
    """Read one item of AAC's schedule list; None when it has no usable id.

    `identity` is the item's, when the caller has read it already.
    """
    identity = identity or identify(raw)
    if identity is None:
        return None
    problems: list[str] = []
    notes: list[str] = []
    fields = {
        "name": read_text(raw, "name", problems, required=True),
        "enabled": _enabled(raw, problems),
        "disable_reason": read_text(raw, "disableReason", problems),
        "aac_created_at": read_instant(raw, "createdAt", problems),
        "aac_updated_at": read_instant(raw, "updatedAt", problems),
        "raw": raw,
    }
    fields |= _trigger_fields(raw.get("triggers"), now, notes, problems)
    fields |= _task_fields(raw.get("tasks"), notes, problems)
    fields |= _owner_fields(raw)
    fields["note"] = "; ".join(problems + notes)
    for name, limit in _LIMITS.items():
        if name in fields and len(fields[name]) > limit:
            fields[name] = fields[name][: limit - 1] + "…"
    fields["unparsed"] = bool(problems)
    return ParsedSchedule(
        aac_id=identity.aac_id,
        fields=fields,
        raw_json=identity.raw_json,
        fingerprint=identity.fingerprint,
        problems=tuple(problems),
    )


def canonical_json(raw: dict) -> str:
    return _CANONICAL(raw)


# Decoded JSON holds no cycles: not looking for them is a sixth faster.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), check_circular=False
).encode


def fingerprint(raw: dict) -> str:
    """A digest of what AAC sent: equal digests mean the row needs no write."""
    return digest(canonical_json(raw))


def digest(text: str, *, version: str = PARSER_VERSION) -> str:
    """The fingerprint of an item's canonical JSON (any kind's), as the parser
    of that version reads it."""
    return hashlib.blake2b(f"{version}:{text}".encode(), digest_size=16).hexdigest()


def next_run_at(raw: dict, *, after: datetime) -> datetime | None:
    """The next run of a stored schedule, from its raw triggers (when it passed)."""
    return _earliest(triggers_of(raw), after)


def triggers_of(raw: dict) -> list[Trigger]:
    """A stored schedule's triggers, read (the words, the zone, the next runs)."""
    triggers = raw.get("triggers")
    if not isinstance(triggers, list):
        return []
    return [read_trigger(item) for item in triggers if isinstance(item, dict)]


def tasks_of(raw: dict) -> list[dict]:
    """A stored schedule's tasks, each read as the first is for its columns:
    `task_kind`, `target_id` and `target_name` (empty when not read)."""
    tasks = raw.get("tasks")
    if not isinstance(tasks, list):
        return []
    return [_task_fields([task], [], []) for task in tasks if isinstance(task, dict)]


def next_runs(raw: dict, *, after: datetime, count: int) -> list[datetime]:
    """The next `count` runs of a stored schedule after `after`, all triggers
    together (fewer when its triggers stop firing)."""
    triggers, runs = triggers_of(raw), []
    while len(runs) < count and (after := _earliest(triggers, after)) is not None:
        runs.append(after)
    return runs


def _earliest(triggers: list[Trigger], after: datetime) -> datetime | None:
    runs = [run for t in triggers if (run := t.next_run(after=after)) is not None]
    return min(runs, default=None)


def read_text(raw: dict, key: str, problems: list, *, required: bool = False) -> str:
    """`raw[key]` if text; "" with a problem noted when it is something else."""
    value = raw.get(key)
    if isinstance(value, str):
        return value
    if value is not None or required:
        problems.append(f"{key} is {_kind_of(value)}, not text")
    return ""


def _enabled(raw: dict, problems: list) -> bool:
    value = raw.get("enabled")
    if isinstance(value, bool):
        return value
    problems.append(f"enabled is {_kind_of(value)}; shown as enabled")
    return True


def read_instant(raw: dict, key: str, problems: list) -> datetime | None:
    """`raw[key]` as an instant; None, with a problem noted when unreadable."""
    value = raw.get(key)
    if value is None:
        return None
    parsed = parse_instant(value)
    if parsed is None:
        problems.append(f"{key} is not a date AAC is known to send ({str(value)[:40]})")
    return parsed


def _trigger_fields(items: object, now: datetime, notes: list, problems: list) -> dict:
    if not isinstance(items, list) or not items:
        problems.append("no triggers")
        return {"trigger_kind": TriggerKind.UNKNOWN, "description": "No trigger"}
    triggers = [read_trigger(item) for item in items]
    first = triggers[0]
    for trigger in triggers:
        notes.extend(trigger.notes)
        problems.extend(trigger.problems)
    if len(triggers) > 1:
        notes.append(f"{len(triggers)} {MANY_TRIGGERS}")
    last_run = items[0].get("lastExecutionTime") if isinstance(items[0], dict) else None
    return {
        "trigger_kind": first.kind,
        "cron": first.cron,
        "timezone": first.timezone,
        "description": "; ".join(trigger.description for trigger in triggers),
        "next_run_at": _earliest(triggers, now),
        "last_execution_at": parse_instant(last_run),
    }


def _task_fields(items: object, notes: list, problems: list) -> dict:
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        problems.append("no tasks")
        return {"task_kind": TaskKind.OTHER}
    if len(items) > 1:
        notes.append(f"{len(items)} tasks; the target shown is the first's")
    task = items[0]
    keys = [key for key in task if key != "id" and isinstance(task[key], dict)]
    if len(keys) != 1:
        problems.append(f"a task with {len(keys)} kinds")
        return {"task_kind": TaskKind.OTHER}
    key = keys[0]
    asset = task[key]
    if key in TASK_KINDS:
        kind, id_key = TASK_KINDS[key]
    else:
        kind, id_key = TaskKind.OTHER, None
        problems.append(f"an unknown task kind {key[:60]!r}")
    if id_key is None:  # the id key of an unlisted kind: its one "...Id" field
        id_keys = [k for k in asset if k.endswith("Id") and k != "workspaceId"]
        id_key = id_keys[0] if len(id_keys) == 1 else None
    target_id = asset.get(id_key) if id_key else None
    name = asset.get("name")
    return {
        "task_kind": kind,
        "target_id": str(target_id) if isinstance(target_id, str | int) else "",
        "target_name": name if isinstance(name, str) else "",
    }


def _owner_fields(raw: dict) -> dict:
    creator = raw.get("creator")
    if not isinstance(creator, dict):
        owner_id = raw.get("createdBy")
        return {"owner_id": str(owner_id) if type(owner_id) is int else ""}
    owner_id = creator.get("id", raw.get("createdBy"))
    return {
        "owner_id": str(owner_id) if isinstance(owner_id, int | str) else "",
        "owner_name": _plain(creator.get("name")),
        "owner_email": _plain(creator.get("email")),
        "owner_disabled": creator.get("isDisabled") is True
        or creator.get("state") == "disabled",
    }


def _plain(value: object) -> str:
    return value if isinstance(value, str) else ""


def _kind_of(value: object) -> str:
    return "missing" if value is None else type(value).__name__
