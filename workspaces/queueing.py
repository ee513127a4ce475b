"""Handing token work to the background queue, and what to say when it is down."""

import logging

from kombu.exceptions import OperationalError

from workspaces.models import Workspace
from workspaces.tasks import refresh_workspace_tokens

logger = logging.getLogger(__name__)

# What every button, admin action and the health page say when the broker
# cannot take a task.
UNAVAILABLE = "background queue unavailable"


class QueueUnavailable(Exception):
    """The broker refused a task; nothing was queued."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE)
        self.message = UNAVAILABLE


def queue_token_refresh(workspace: Workspace) -> None:
    """Queue a forced refresh of the workspace's tokens, once the transaction commits.

    Raises QueueUnavailable when the broker cannot take it.
    """
    try:
        refresh_workspace_tokens.delay_on_commit(workspace.pk, force=True)
    except OperationalError as exc:
        logger.warning(
            "Token refresh of workspace %s not queued: %s", workspace.pk, exc
        )
        raise QueueUnavailable from exc
