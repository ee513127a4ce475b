"""Dropping runs older than AAC_RUN_RETENTION_DAYS (beat, hourly).

In batches, each its own statement, so no long transaction holds the table
and a busy sync is never kept waiting for long. The hourly counts go with
them. An asset's rollups stay as the sync left them: its last run is recent,
and a streak older than the retention counts the failures still kept.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings

from schedules.assets.models import Run, RunHour

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000


def prune_runs(*, now: datetime) -> int:
    """Delete the runs (and hourly counts) older than the retention; how many runs."""
    cutoff = now - timedelta(days=settings.AAC_RUN_RETENTION_DAYS)
    old = Run.objects.filter(aac_created_at__lt=cutoff).order_by("aac_created_at")
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:BATCH_SIZE]):
        done, _ = Run.objects.filter(pk__in=ids).delete()
        deleted += done
    RunHour.objects.filter(hour__lt=cutoff).delete()
    if deleted:
        logger.info("Pruned %s runs created before %s", deleted, cutoff.isoformat())
    return deleted
