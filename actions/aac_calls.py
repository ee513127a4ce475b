"""Calling AAC about one schedule: change it through its owner's connection, or
read it as it is now; the cache takes AAC's answer at once.

AAC lets only a schedule's owner enable or disable it (docs/aac-api.md,
Schedules), so `workspaces.acting` picks the owner's connection, or says
whose account is needed. Every failure becomes `ActionFailed` with a message
fit for the page and the activity log, and AAC's request id when it gave one.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from aac import AACClient
from aac.errors import AACError, AccessDenied, NotFound, RateLimited
from aac.results import ScheduleChanged
from schedules.models import Schedule
from workspaces.acting import NoConnection, Purpose, choose_connection
from workspaces.connection import call_aac
from workspaces.models import Connection
from workspaces.tokens.problems import TokenProblem

T = TypeVar("T")


class ActionFailed(Exception):
    """AAC was not asked, or said no; `message` says why and what to do."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id or ""


def owner_label(schedule: Schedule) -> str:
    return schedule.owner_name or schedule.owner_email


def connection_for(schedule: Schedule, purpose: Purpose) -> Connection:
    """The connection that may act on the schedule, or ActionFailed saying whose
    account is needed."""
    try:
        return choose_connection(
            schedule.workspace,
            purpose=purpose,
            owner_id=schedule.owner_id,
            seen_by=schedule.seen_by,
            owner_label=owner_label(schedule),
        )
    except NoConnection as exc:
        raise ActionFailed(exc.message) from None


def ask(
    connection: Connection,
    call: Callable[[AACClient], T],
    *,
    what: str,
    missing: T | None = None,
) -> T:
    """`call` through the connection; every failure as ActionFailed, but an
    object AAC no longer has answers `missing` when one is given."""
    try:
        return call_aac(connection, call)
    except TokenProblem as exc:
        raise ActionFailed(f"{connection.person}: {exc.message}") from None
    except AccessDenied as exc:
        raise ActionFailed(
            f"AAC refused to {what} it through {connection.person}'s account: "
            f"{exc.message}",
            request_id=exc.request_id,
        ) from None
    except NotFound as exc:
        if missing is not None:
            return missing
        raise ActionFailed(
            "AAC no longer has it (deleted in AAC?).", request_id=exc.request_id
        ) from None
    except RateLimited as exc:
        wait = timedelta(seconds=exc.retry_after or 60)
        at = datetime.now(UTC) + wait
        raise ActionFailed(
            f"AAC is rate limiting; try again after {at:%H:%M} UTC.",
            request_id=exc.request_id,
        ) from None
    except AACError as exc:
        raise ActionFailed(
            f"AAC did not {what} it: {exc}", request_id=exc.request_id
        ) from None


def change_schedule(schedule: Schedule, *, enable: bool) -> ScheduleChanged:
    """Enable or disable the schedule in AAC through its owner's connection; the
    cached row takes AAC's answer at once."""
    connection = connection_for(schedule, Purpose.CHANGE)
    verb = "enable" if enable else "disable"
    if enable:
        changed = ask(
            connection, lambda c: c.enable_schedule(schedule.aac_id), what=verb
        )
    else:
        changed = ask(
            connection, lambda c: c.disable_schedule(schedule.aac_id), what=verb
        )
    take_answer(schedule, changed.schedule)
    return changed


def read_schedule(schedule: Schedule) -> dict | None:
    """The schedule as AAC has it now, through any connection that sees it (its
    owner's first); None when AAC no longer has it."""
    connection = connection_for(schedule, Purpose.RUN)
    answer = ask(
        connection, lambda c: c.get_schedule(schedule.aac_id), what="read", missing={}
    )
    return answer or None


def take_answer(schedule: Schedule, answer: dict) -> None:
    """The cache takes AAC's word on whether the schedule is enabled, at once;
    the next sync brings the rest of the answer."""
    enabled = answer.get("enabled")
    if not isinstance(enabled, bool):
        return
    reason = answer.get("disableReason")
    schedule.enabled = enabled
    schedule.disable_reason = reason[:500] if isinstance(reason, str) else ""
    Schedule.objects.filter(pk=schedule.pk).update(
        enabled=schedule.enabled, disable_reason=schedule.disable_reason
    )
