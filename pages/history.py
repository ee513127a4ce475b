"""What a schedule's page and an asset's page show of their runs and future.

`RunHistory`: the last runs (with their schedule and person) and how the
runs of the last days went. `upcoming`: a schedule's next runs, in the
viewer's timezone and in the schedule's own. `triggers_in_words`: each of its
triggers as the parser words it. `targets`: what each of its tasks runs.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from lib.zones import zone
from pages.runs import RunRow, run_rows
from schedules.assets.listing import newest_first
from schedules.assets.models import ASSET_MODELS, Asset, AssetKind, Run
from schedules.assets.queries import RunSummary, summarise_runs
from schedules.models import Schedule, TaskKind
from schedules.parse import next_runs, tasks_of, triggers_of

LAST_RUNS = 25
SUMMARY_DAYS = 30
NEXT_RUNS = 10


@dataclass
class RunHistory:
    rows: list[RunRow]
    summary: RunSummary
    days: int = SUMMARY_DAYS


def run_history(runs: QuerySet[Run], *, now: datetime) -> RunHistory:
    """Four queries: the last runs, their schedules and people, the summary."""
    last = list(newest_first(runs)[:LAST_RUNS])
    since = now - timedelta(days=SUMMARY_DAYS)
    return RunHistory(rows=run_rows(last), summary=summarise_runs(runs, since=since))


@dataclass(frozen=True)
class Upcoming:
    at: datetime
    # The same instant on the schedule's own clock ("" without a known zone).
    there: str


def upcoming(schedule: Schedule, *, now: datetime) -> list[Upcoming]:
    """Its next runs, as its triggers say; none when it is disabled."""
    if not schedule.enabled:
        return []
    tz = zone(schedule.timezone)
    return [
        Upcoming(
            at=at,
            there=timezone.localtime(at, tz).strftime("%a %Y-%m-%d %H:%M %Z")
            if tz
            else "",
        )
        for at in next_runs(schedule.raw, after=now, count=NEXT_RUNS)
    ]


@dataclass(frozen=True)
class Target:
    """One of a schedule's tasks: what it runs, and that asset's row if cached."""

    kind: str
    name: str
    aac_id: str
    asset: Asset | None = None

    @property
    def label(self) -> str:
        return TaskKind(self.kind).label

    @property
    def url(self) -> str:
        if self.asset is None:
            return ""
        name = f"pages:{self.kind}"
        return reverse(name, args=[self.asset.workspace_id, self.asset.aac_id])


def targets(schedule: Schedule) -> list[Target]:
    """What each of its tasks runs; one query per kind of asset among them."""
    tasks = [
        Target(
            task["task_kind"], task.get("target_name", ""), task.get("target_id", "")
        )
        for task in tasks_of(schedule.raw)
    ]
    cached = {}
    for kind, model in ASSET_MODELS.items():
        ids = {t.aac_id for t in tasks if t.kind == kind and t.aac_id}
        if kind != AssetKind.WORKFLOW:
            ids = {aac_id for aac_id in ids if aac_id.isdigit()}
        if ids:
            found = model.objects.filter(
                workspace_id=schedule.workspace_id, aac_id__in=ids
            ).defer("raw")
            cached |= {(kind, str(asset.aac_id)): asset for asset in found}
    return [replace(t, asset=cached.get((t.kind, t.aac_id))) for t in tasks]


def triggers_in_words(schedule: Schedule) -> list[str]:
    return [trigger.description for trigger in triggers_of(schedule.raw)]
