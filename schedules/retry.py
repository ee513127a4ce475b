"""When a failed sync is tried again: the sync task's retry policy.

Only an unavailable or rate-limited AAC is retried, by Celery, after a
full-jitter exponential backoff, never sooner than AAC's x-retry-after and
never with a countdown the broker would not honour (docs/reliability.md rules
7 and 8). After MAX_RETRIES the run fails, and the beat's next round starts a
new one.
"""

import random
from dataclasses import dataclass

from django.conf import settings

from aac.errors import RateLimited, Unavailable

# Retries of one run.
MAX_RETRIES = 4
# The backoff's base: the first retry waits up to this, the next twice that...
RETRY_BASE_SECONDS = 30


@dataclass(frozen=True)
class RetryPolicy:
    """What the task allows its sync: the attempt it is, and whether another is left."""

    attempt: int
    may_retry: bool

    def delay_after(self, exc: Exception) -> float | None:
        """Seconds to wait before the next attempt; None when there is none."""
        return retry_delay(exc, attempt=self.attempt) if self.may_retry else None


def retry_delay(exc: Exception, *, attempt: int) -> float | None:
    """Seconds to wait before retrying after `exc`; None when not to retry.

    Only unavailable and rate-limited errors retry: after a full-jitter
    exponential backoff, never sooner than AAC's x-retry-after, and never
    later than `max_retry_delay()`: a wait AAC asks for beyond that is left to
    the next beat.
    """
    if not isinstance(exc, Unavailable | RateLimited):
        return None
    cap = max_retry_delay()
    asked = exc.retry_after or 0
    if asked > cap:
        return None
    backoff = random.uniform(0, RETRY_BASE_SECONDS * 2**attempt)
    return min(max(backoff, asked, 1.0), cap)


def max_retry_delay() -> float:
    """The longest countdown a retry may have.

    A Redis message not acknowledged within the visibility timeout is
    delivered again, and a countdown message stays unacknowledged until its
    task ends (acks_late), so countdown + hard time limit must fit in it.
    Beyond one beat interval, the beat does better.
    """
    cap = settings.AAC_SYNC_INTERVAL_MINUTES * 60.0
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if visibility:
        cap = min(cap, visibility - settings.CELERY_TASK_TIME_LIMIT - 60)
    return cap
