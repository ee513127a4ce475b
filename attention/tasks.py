"""Beat's tasks of the attention app: thin, state in models."""

import logging

from celery import shared_task
from django.utils import timezone

from attention.digest import send_due_digests
from attention.evaluate import evaluate_workspace
from workspaces.models import Workspace

logger = logging.getLogger(__name__)


@shared_task
def evaluate_all_workspaces() -> None:
    """Every AAC_SYNC_INTERVAL_MINUTES: rules that change with the clock alone
    (old data, a run that did not happen) open without a sync."""
    for workspace in Workspace.objects.order_by("pk"):
        try:
            evaluate_workspace(workspace=workspace, now=timezone.now())
        except Exception:
            # One workspace's fault does not hold the others back.
            logger.exception("workspace %s: evaluating its rules failed", workspace.pk)


@shared_task
def send_digests() -> None:
    """Every quarter hour: the digests whose local hour has come."""
    send_due_digests(now=timezone.now())
