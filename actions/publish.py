"""Handing an action's task to the broker once the transaction commits.

When the broker refuses it, `on_failure` marks the row so the page says so
(docs/reliability.md, "background queue unavailable") and QueueUnavailable
reaches the view.
"""

import logging
from collections.abc import Callable
from functools import partial

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

from workspaces.queueing import QueueUnavailable

logger = logging.getLogger(__name__)


def publish(task: str, row_id: int, *, on_failure: Callable[[], None]) -> None:
    transaction.on_commit(partial(_send, task, row_id, on_failure))


def _send(task: str, row_id: int, on_failure: Callable[[], None]) -> None:
    try:
        current_app.send_task(task, args=[row_id])
    except OperationalError as exc:
        logger.warning("%s(%s) not published: %s", task, row_id, exc)
        on_failure()
        raise QueueUnavailable from exc
