"""Evaluate a workspace's rules as soon as a sync of it ends.

In the sync's own worker, after the sync's transaction: the findings are as
fresh as the data. A fault here is logged and never fails the sync; the
beat's next evaluation tries again.
"""

import logging

from django.dispatch import receiver
from django.utils import timezone

from attention.evaluate import evaluate_workspace
from schedules.models import SyncRun
from schedules.signals import sync_finished
from workspaces.models import Workspace

logger = logging.getLogger(__name__)


@receiver(sync_finished, sender=SyncRun)
def evaluate_after_sync(sender, *, run: SyncRun, **kwargs) -> None:
    workspace = Workspace.objects.filter(pk=run.workspace_id).first()
    if workspace is None:
        return
    try:
        evaluate_workspace(workspace=workspace, now=timezone.now())
    except Exception:
        logger.exception("workspace %s: evaluating its rules failed", workspace.pk)
