"""Rules read off the cached schedules alone: owner disabled, never fires,
very frequent, duplicates."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from django.db.models import Count, F, Window

from attention.hits import Hit
from attention.rules import Rule
from schedules.models import Schedule, TriggerKind
from schedules.triggers.clock import CACHE_SIZE, next_cron_run
from schedules.triggers.cron import read_cron
from workspaces.models import Workspace

# Triggers with a clock: the others (file and table watchers) fire on events.
TIME_BASED = (
    TriggerKind.CRON,
    TriggerKind.DAILY,
    TriggerKind.HOURLY,
    TriggerKind.WEEKLY,
    TriggerKind.MONTHLY,
    TriggerKind.MONTHLY_WEEKDAY,
    TriggerKind.ONE_TIME,
)
# Consecutive runs of a cron compared to find its shortest gap.
GAPS_EXAMINED = 4
HOUR = timedelta(hours=1)


def enabled_schedules(workspace: Workspace):
    return Schedule.objects.filter(workspace=workspace, enabled=True)


def owner_disabled(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    rows = enabled_schedules(workspace).filter(owner_disabled=True)
    return [
        Hit(
            str(aac_id),
            name,
            f"Enabled, but its owner {owner or 'AAC person ' + owner_id} is "
            "disabled in AAC.",
        )
        for aac_id, name, owner, owner_id in rows.values_list(
            "aac_id", "name", "owner_name", "owner_id"
        )
    ]


def never_fires(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """Time-based, enabled, and no next run; a cron the engine cannot read is
    the parser rule's business, not this one's."""
    rows = enabled_schedules(workspace).filter(
        trigger_kind__in=TIME_BASED, next_run_at__isnull=True
    )
    unreadable = [
        cron
        for cron in set(rows.exclude(cron="").values_list("cron", flat=True))
        if read_cron(cron).problem
    ]
    rows = rows.exclude(cron__in=unreadable)
    return [
        Hit(str(aac_id), name, f"Enabled, but no run is left: {description}.")
        for aac_id, name, description in rows.values_list(
            "aac_id", "name", "description"
        )
    ]


def frequent_schedule(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """Each distinct cron expression of the workspace is timed once a day per
    process (workspaces share most of theirs), then the schedules using a
    frequent one are read in one query."""
    rows = enabled_schedules(workspace).exclude(cron="")
    limit = timedelta(minutes=rule["minutes"])
    gaps = {}
    for cron, zone in set(rows.values_list("cron", "timezone")):
        if limit < HOUR and _once_an_hour_at_most(cron):
            continue
        gap = shortest_gap(cron, zone or "UTC", day=now.date())
        if gap is not None and gap <= limit:
            gaps[cron] = min(gap, gaps.get(cron, gap))
    return [
        Hit(
            str(aac_id),
            name,
            f"Fires every {_minutes(gaps[cron])} ({description}).",
            data={"minutes": gaps[cron].total_seconds() / 60},
        )
        for aac_id, name, cron, description in rows.filter(
            cron__in=list(gaps)
        ).values_list("aac_id", "name", "cron", "description")
    ]


@lru_cache(maxsize=CACHE_SIZE)
def shortest_gap(cron: str, zone: str, *, day: date) -> timedelta | None:
    """The shortest time between the first few runs of a cron expression on
    `day` (UTC)."""
    reading = read_cron(cron)
    if reading.problem:
        return None
    times, after = [], datetime.combine(day, time(), tzinfo=UTC)
    for _ in range(GAPS_EXAMINED):
        after = next_cron_run(reading.engine, zone, after=after)
        if after is None:
            break
        times.append(after)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    return min(gaps) if gaps else None


def _once_an_hour_at_most(cron: str) -> bool:
    """A single minute (and second) in the expression: no run within the hour
    of another, so the scheduler engine need not be asked."""
    fields = read_cron(cron).engine.split(" ")
    return len(fields) > 1 and fields[0].isdigit() and fields[1].isdigit()


def duplicate_schedule(workspace: Workspace, rule: Rule, now: datetime) -> list[Hit]:
    """Enabled schedules sharing a target and a trigger: counted by a window
    over (target, trigger), so one query finds every group."""
    group = [
        "task_kind",
        "target_id",
        "trigger_kind",
        "cron",
        "timezone",
        "description",
    ]
    rows = (
        enabled_schedules(workspace)
        .exclude(target_id="")
        .annotate(copies=Window(Count("id"), partition_by=[F(name) for name in group]))
        .filter(copies__gt=1)
        .values_list("aac_id", "name", "copies", "target_name", *group)
    )
    found = list(rows)
    groups: dict[tuple, list[str]] = {}
    for row in found:
        groups.setdefault(row[4:], []).append(row[1])
    hits = []
    for aac_id, name, copies, target, *key in found:
        others = [other for other in groups[tuple(key)] if other != name]
        hits.append(
            Hit(
                str(aac_id),
                name,
                f"Runs {target or key[1]} on the same trigger as {copies - 1} other "
                f"schedule{'s' if copies > 2 else ''}"
                + (f" ({', '.join(sorted(set(others))[:3])})" if others else "")
                + ".",
                data={"copies": copies},
            )
        )
    return hits


def _minutes(gap: timedelta) -> str:
    minutes = gap.total_seconds() / 60
    if minutes < 1:
        return f"{gap.total_seconds():.0f} seconds"
    return "minute" if minutes == 1 else f"{minutes:.0f} minutes"
