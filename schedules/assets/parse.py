"""AAC's plans, flows, workflows and job-library items → column values.

As strict and as forgiving as the schedule parser (`schedules.parse`): what
AAC's published model says is read, anything else is kept in `raw` with a
note, and only an item without a usable id is refused (None: the sync counts
it as ignored). The item shapes: docs/aac-api.md, Plans flows workflows and
their runs.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models

from schedules.assets.models import (
    FINISHED,
    AssetKind,
    Flow,
    Plan,
    RanFrom,
    Run,
    RunStatus,
    Workflow,
)
from schedules.parse import canonical_json, digest, read_instant, read_text

# Part of every fingerprint of these kinds: bump it when the parsers change
# what they make of the same JSON, so the next sync rewrites every row once.
PARSER_VERSION = "assets-1"
# Where a job-library item names the run it stands for, by asset kind.
RUN_LINKS = {"plan": "planSnapshotRun", "flow": "flowRun"}
# A plan's latest run is left out of its `raw`: it changes with every run,
# which would rewrite the plan at every sync, and the run history has it.
VOLATILE = {"plan": ("latestPlanSnapshotRun",)}


@dataclass(frozen=True)
class Parsed:
    aac_id: int | str
    fields: dict
    raw_json: str
    fingerprint: str
    problems: tuple[str, ...]


def _limits(model: type[models.Model]) -> dict[str, int]:
    return {
        field.name: field.max_length
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField)
    }


_LIMITS = {model: _limits(model) for model in (Plan, Flow, Workflow, Run)}


def _done(
    model: type[models.Model], aac_id, raw: dict, fields: dict, problems: list
) -> Parsed:
    for name, limit in _LIMITS[model].items():
        if len(fields.get(name) or "") > limit:
            fields[name] = fields[name][: limit - 1] + "…"
    raw_json = canonical_json(raw)
    return Parsed(
        aac_id=aac_id,
        fields=fields,
        raw_json=raw_json,
        fingerprint=digest(raw_json, version=PARSER_VERSION),
        problems=tuple(problems),
    )


def _int_id(value: object) -> int | None:
    if type(value) is int and 0 < value < 2**63:
        return value
    if isinstance(value, str) and value.isdigit() and 0 < int(value) < 2**63:
        return int(value)
    return None


def _person(raw: dict) -> int | None:
    creator = raw.get("creator")
    return _int_id(creator.get("id")) if isinstance(creator, dict) else None


def _asset(
    model: type[models.Model], raw: object, aac_id, problems: list, kind: str
) -> Parsed:
    raw = {k: v for k, v in raw.items() if k not in VOLATILE.get(kind, ())}
    fields = {
        "name": read_text(raw, "name", problems, required=True),
        "description": read_text(raw, "description", problems),
        "owner_aac_id": _person(raw),
        "aac_created_at": read_instant(raw, "createdAt", problems),
        "aac_updated_at": read_instant(raw, "updatedAt", problems),
        "raw": raw,
    }
    if model is Workflow:
        fields["workflow_type"] = read_text(raw, "type", problems)
    fields["note"] = "; ".join(problems)
    return _done(model, aac_id, raw, fields, problems)


def parse_plan(raw: object, *, now: datetime) -> Parsed | None:
    """One item of `GET /v4/plans`; None without a usable id."""
    if not isinstance(raw, dict) or (aac_id := _int_id(raw.get("id"))) is None:
        return None
    return _asset(Plan, raw, aac_id, [], "plan")


def parse_flow(raw: object, *, now: datetime) -> Parsed | None:
    """One item of `GET /v4/flows`; None without a usable id."""
    if not isinstance(raw, dict) or (aac_id := _int_id(raw.get("id"))) is None:
        return None
    return _asset(Flow, raw, aac_id, [], "flow")


def parse_workflow(raw: object, *, now: datetime) -> Parsed | None:
    """One item of `GET /v4/workflows` (a ULID id); None without a usable id."""
    if not isinstance(raw, dict):
        return None
    aac_id = raw.get("id")
    if not isinstance(aac_id, str) or not aac_id or len(aac_id) > 64:
        return None
    return _asset(Workflow, raw, aac_id, [], "workflow")


def parse_run(raw: object, *, now: datetime) -> Parsed | None:
    """One item of `GET /v4/jobLibrary`; None without a usable id.

    A run without a readable `createdAt` is placed at its `updatedAt`, or
    at `now`, with a note: the run history is ordered by creation.
    """
    if not isinstance(raw, dict) or (aac_id := _int_id(raw.get("id"))) is None:
        return None
    problems: list[str] = []
    kind, asset = _ran(raw, problems)
    started = read_instant(raw, "startedAt", problems)
    finished = read_instant(raw, "finishedAt", problems)
    created = read_instant(raw, "createdAt", problems)
    updated = read_instant(raw, "updatedAt", problems)
    if created is None:
        problems.append("no creation date; placed at its last update")
        created = updated or now
    fields = {
        "run_aac_id": _run_link(raw, kind),
        "asset_kind": kind,
        "asset_aac_id": str(asset.get("id", "")),
        "asset_name": asset.get("name") if isinstance(asset.get("name"), str) else "",
        "schedule_aac_id": _int_id(raw.get("scheduleId")),
        "status": _status(raw, problems),
        "ranfrom": _ranfrom(raw, problems),
        "run_by_aac_id": _person(raw),
        "aac_created_at": created,
        "aac_updated_at": updated,
        "started_at": started,
        "finished_at": finished,
        "duration_seconds": _seconds(started, finished, problems),
        "error_message": read_text(raw, "errorMessage", problems)[:4000],
        "raw": raw,
    }
    if fields["status"] in FINISHED and finished is None:
        problems.append("finished without a finishing date")
    fields["note"] = "; ".join(problems)
    return _done(Run, aac_id, raw, fields, problems)


def _ran(raw: dict, problems: list) -> tuple[str, dict]:
    """The asset kind and the `{id, name}` of what the run ran."""
    ranfor = raw.get("ranfor")
    kinds = [k for k in ("plan", "flow", "workflow") if isinstance(raw.get(k), dict)]
    kind = ranfor if ranfor in kinds else (kinds[0] if len(kinds) == 1 else None)
    if kind is None:
        problems.append(f"ran for {str(ranfor)[:40]!r}, not a plan, flow or workflow")
        return AssetKind.OTHER, {}
    asset = raw[kind]
    if not isinstance(asset.get("id"), int | str):
        problems.append(f"{kind} without an id")
        return AssetKind(kind), {}
    return AssetKind(kind), asset


def _seconds(
    started: datetime | None, finished: datetime | None, problems: list
) -> int | None:
    if started is None or finished is None:
        return None
    if finished < started:
        problems.append("finished before it started")
        return None
    return round((finished - started).total_seconds())


def _run_link(raw: dict, kind: str) -> int | None:
    link = raw.get(RUN_LINKS.get(kind, ""))
    if isinstance(link, dict):
        return _int_id(link.get("id"))
    return _int_id(raw.get("jobId"))


def _status(raw: dict, problems: list) -> str:
    value = raw.get("status")
    if value in RunStatus.values and value != RunStatus.UNKNOWN:
        return value
    problems.append(f"status {str(value)[:40]!r} is not one AAC is known to send")
    return RunStatus.UNKNOWN


def _ranfrom(raw: dict, problems: list) -> str:
    value = raw.get("ranfrom")
    if value in RanFrom.values and value:
        return value
    if value is not None:
        problems.append(f"ranfrom {str(value)[:40]!r} is not one AAC is known to send")
    return RanFrom.UNKNOWN
