"""Celery tasks that keep access tokens fresh ahead of use.

No autoretry and no acks_late, ever: a refresh spends a single-use token, so a
redelivered or automatically retried task could spend it twice
(docs/reliability.md rule 5). The next beat tick is the retry.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from workspaces.models import Workspace
from workspaces.tokens.lease import force_refresh, fresh_access_token
from workspaces.tokens.problems import TokenProblem

logger = logging.getLogger(__name__)


def refresh_horizon() -> int:
    """Seconds a token must stay valid: until the next tick, plus the usual margin."""
    return (
        settings.AAC_TOKEN_REFRESH_INTERVAL_MINUTES * 60
        + settings.AAC_ACCESS_TOKEN_MIN_VALIDITY
    )


@shared_task(acks_late=False)
def refresh_workspace_tokens(workspace_id: int, force: bool = False) -> None:
    """Refresh one workspace's tokens if they expire before the next tick (or now)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        logger.warning("Workspace %s no longer exists; refresh skipped", workspace_id)
        return
    try:
        if force:
            force_refresh(workspace)
        else:
            fresh_access_token(workspace, min_validity=refresh_horizon())
    except TokenProblem as exc:
        logger.warning("Workspace %s: tokens not refreshed: %s", workspace_id, exc)


@shared_task
def refresh_expiring_tokens() -> None:
    """Beat: one refresh task per active workspace whose token is about to expire.

    Unknown expiry (an opaque token) counts as expiring: it is refreshed on
    first use. Workspaces needing re-authorisation wait for a pasted pair.
    """
    horizon = timezone.now() + timedelta(seconds=refresh_horizon())
    due = (
        Workspace.objects.active()
        .exclude(state=Workspace.State.NEEDS_REAUTH)
        .filter(refresh_token_issued_at__isnull=False)
        .filter(
            Q(access_token_expires_at__isnull=True)
            | Q(access_token_expires_at__lt=horizon)
        )
        .values_list("pk", flat=True)
    )
    ids = list(due)
    for workspace_id in ids:
        refresh_workspace_tokens.delay_on_commit(workspace_id)
    logger.info("Queued token refreshes for %d workspace(s)", len(ids))
