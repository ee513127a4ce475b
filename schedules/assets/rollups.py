"""What the pages need worked out from the run history, kept after each sync.

Every run the sync writes is `pending`. After the runs of a sync are applied
(in the same transaction, as the run kind's `after_apply`), the assets those
runs ran get their last run, last success and failure streak again, and the
hours they were created in get their counts again (`RunHour`). So the work
grows with what the sync wrote, not with the history, and pages read a few
columns or a few thousand hourly rows instead of aggregating a million runs.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from django.db.models import CharField, Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, TruncHour

from schedules.assets.models import ASSET_MODELS, AssetKind, Run, RunHour, RunStatus
from workspaces.models import Workspace

# Keys per IN (...) list: SQLite allows 999 parameters a statement.
BATCH_SIZE = 500
_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def _batches(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def after_runs(workspace: Workspace, now: datetime) -> None:
    """Work out again what the runs written since the last time touch."""
    pending = Run.objects.filter(workspace=workspace, pending=True)
    assets = set(pending.values_list("asset_kind", "asset_aac_id").distinct())
    hours = set(
        pending.annotate(hour=TruncHour("aac_created_at", tzinfo=UTC))
        .values_list("hour", flat=True)
        .distinct()
    )
    for kind, model in ASSET_MODELS.items():
        ids = sorted(aac_id for k, aac_id in assets if k == kind)
        if kind != AssetKind.WORKFLOW:  # numbers in AAC and in the cache
            ids = [int(aac_id) for aac_id in ids if aac_id.isdigit()]
        for batch in _batches(ids):
            update_assets(model.objects.filter(workspace=workspace, aac_id__in=batch))
    for batch in _batches(sorted(hours)):
        count_hours(workspace, batch)
    pending.update(pending=False)


def _runs_of_asset(kind: str) -> QuerySet[Run]:
    """The runs of the outer query's asset, newest first (the `run_asset` index)."""
    return Run.objects.filter(
        workspace=OuterRef("workspace"),
        asset_kind=kind,
        asset_aac_id=Cast(OuterRef("aac_id"), CharField()),
    ).order_by("-aac_created_at")


def update_assets(assets: QuerySet) -> None:
    """Last run, its status, last success and failure streak of `assets`.

    The streak reads the last success the first statement wrote, so it takes
    a second one. A run neither complete nor failed (canceled, unfinished)
    neither breaks a streak nor adds to it.
    """
    runs = _runs_of_asset(assets.model.kind)
    assets.update(
        last_run_at=Subquery(runs.values("aac_created_at")[:1]),
        last_run_status=Coalesce(Subquery(runs.values("status")[:1]), Value("")),
        last_success_at=Subquery(
            runs.filter(status=RunStatus.COMPLETE).values("aac_created_at")[:1]
        ),
    )
    since_success = Coalesce(OuterRef("last_success_at"), Value(_EVER))
    failures = (
        runs.filter(status=RunStatus.FAILED, aac_created_at__gt=since_success)
        .order_by()
        .values("workspace")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assets.update(failure_streak=Coalesce(Subquery(failures), Value(0)))


def count_hours(workspace: Workspace, hours: Iterable[datetime]) -> None:
    """Count the workspace's runs created in each of `hours` (UTC) again."""
    hours = sorted(hours)
    if not hours:
        return
    RunHour.objects.filter(workspace=workspace, hour__in=hours).delete()
    wanted = set(hours)
    counts = (
        Run.objects.filter(
            workspace=workspace,
            aac_created_at__gte=hours[0],
            aac_created_at__lt=hours[-1] + timedelta(hours=1),
        )
        .annotate(hour=TruncHour("aac_created_at", tzinfo=UTC))
        .values_list("hour", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    RunHour.objects.bulk_create(
        [
            RunHour(workspace=workspace, hour=hour, status=status, runs=n)
            for hour, status, n in counts
            if hour in wanted
        ],
        batch_size=BATCH_SIZE,
    )
