"""Runs older than AAC_RUN_RETENTION_DAYS go, in batches, hourly by beat."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from schedules.assets import prune
from schedules.assets.models import Run, RunHour
from schedules.assets.prune import prune_runs
from tests.factories import make_aac_run, make_workspace

pytestmark = pytest.mark.django_db


def test_runs_older_than_the_retention_are_deleted(settings, monkeypatch):
    settings.AAC_RUN_RETENTION_DAYS = 30
    monkeypatch.setattr(prune, "BATCH_SIZE", 2)
    workspace, now = make_workspace(), timezone.now()
    for days in (45, 40, 35, 31, 29, 1):
        make_aac_run(workspace, created=now - timedelta(days=days))
    for days in (31, 29):
        RunHour.objects.create(
            workspace=workspace,
            hour=now - timedelta(days=days),
            status="Complete",
            runs=1,
        )

    assert prune_runs(now=now) == 4

    cutoff = now - timedelta(days=30)
    assert Run.objects.count() == 2
    assert not Run.objects.filter(aac_created_at__lt=cutoff).exists()
    assert list(RunHour.objects.values_list("hour", flat=True)) == [
        now - timedelta(days=29)
    ]


def test_beat_prunes_every_hour():
    entry = django_settings.CELERY_BEAT_SCHEDULE["prune-old-runs"]

    assert entry["task"] == "schedules.tasks.prune_old_runs"
    assert entry["schedule"] == timedelta(hours=1)
    assert entry["options"]["expires"] < 3600
