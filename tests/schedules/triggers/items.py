"""Trigger items as AAC sends them, and instants, for the trigger tests."""

from datetime import UTC, datetime


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def timed(kind: str, rule: dict, zone: str | None = "UTC", **extra) -> dict:
    spec = {kind: rule, **extra}
    if zone is not None:
        spec["timezone"] = zone
    return {"id": 1, "timeBased": spec}


def cron(expression: str, zone: str | None = "UTC") -> dict:
    return timed("cron", {"expression": expression}, zone)
