"""Beat's tasks of the attention app: thin, state in models."""

from celery import shared_task
from django.utils import timezone

from attention.digest import send_due_digests
from attention.evaluate import evaluate_workspace
from workspaces.models import Workspace


@shared_task
def evaluate_all_workspaces() -> None:
    """Every AAC_SYNC_INTERVAL_MINUTES: rules that change with the clock alone
    (old data, a run that did not happen) open without a sync."""
    for workspace in Workspace.objects.order_by("pk"):
        evaluate_workspace(workspace=workspace, now=timezone.now())


@shared_task
def send_digests() -> None:
    """Every quarter hour: the digests whose local hour has come."""
    send_due_digests(now=timezone.now())
