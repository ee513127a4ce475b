"""Maintenance windows: "pause these schedules from T1 to T2".

At T1 the window disables exactly the schedules that are enabled in AAC and
records each one with AAC's `updatedAt` right after; at T2 it re-enables
exactly those it disabled that are still disabled at that same `updatedAt`,
so one an owner changed (enabled, disabled again, edited) or deleted in
between stays as the owner left it. Beat's `advance_windows` takes every
step (docs/architecture.md, "Actions"), never a countdown, so an outage at T1
or T2 delays a step and loses nothing. Each step is idempotent: an item
whose call was under way when a worker died (`disabling`, `enabling`) is
first read back from AAC, and items move only by conditional UPDATEs.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta

from celery import current_app
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from kombu.exceptions import OperationalError

from actions.aac_calls import ActionFailed, change_schedule, read_schedule, take_answer
from actions.models import Window, WindowItem
from activity.log import record
from activity.models import Action, Outcome
from schedules.models import Person, Schedule
from workspaces import access
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

Status = Window.Status
State = WindowItem.State
ADVANCE_TASK = "actions.tasks.advance_windows"
# A step whose worker has said nothing for this long is taken over.
STEP_TIMEOUT = timedelta(minutes=5)


class WindowRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def create_window(
    *,
    actor,
    schedules: QuerySet[Schedule],
    reason: str,
    chosen: str,
    starts_at: datetime,
    ends_at: datetime,
) -> Window:
    """A window over the schedules of `schedules` the actor may operate."""
    if ends_at <= starts_at:
        raise WindowRefused("A window must end after it starts.")
    operable = access.scope(schedules, actor, operable=True).order_by()
    with transaction.atomic():
        window = Window.objects.create(
            reason=reason,
            chosen=chosen,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
            created_by_name=actor.get_username(),
        )
        WindowItem.create_for(operable, window=window)
        _record_window(
            window,
            Action.WINDOW_CREATED,
            f"From {starts_at:%Y-%m-%d %H:%M} to {ends_at:%Y-%m-%d %H:%M} UTC.",
        )
        transaction.on_commit(nudge)
    return window


def nudge() -> None:
    """Ask for a round now rather than at beat's next tick; beat is the
    guarantee, so a broker that refuses is no harm."""
    try:
        current_app.send_task(ADVANCE_TASK)
    except OperationalError as exc:
        logger.info("No window round queued now: %s", exc)


def cancel_window(*, actor, window: Window) -> None:
    """Cancel a window that has not started: nothing was touched."""
    cancelled = Window.objects.filter(pk=window.pk, status=Status.SCHEDULED).update(
        status=Status.CANCELLED, ended_at=timezone.now()
    )
    if not cancelled:
        raise WindowRefused("It has already started; end it early instead.")
    _record_window(
        window, Action.WINDOW_CANCELLED, "Cancelled before it started.", user=actor
    )


def end_early(*, actor, window: Window) -> None:
    """End a started window now: its next round re-enables what it disabled."""
    now = timezone.now()
    ended = Window.objects.filter(
        pk=window.pk, status__in=(Status.STARTING, Status.ACTIVE), ends_at__gt=now
    ).update(ends_at=now)
    if not ended:
        raise WindowRefused("It is not running, or already ending.")
    _record_window(
        window,
        Action.WINDOW_ENDED,
        "Ended early; re-enabling what it disabled.",
        user=actor,
        outcome=Outcome.QUEUED,
    )
    transaction.on_commit(nudge)


def advance_windows(*, now: datetime | None = None) -> int:
    """Take every due step: start windows whose T1 came, end those whose T2
    came, and take over steps whose worker stopped. Returns steps taken."""
    now = now or timezone.now()
    stale = now - STEP_TIMEOUT
    steps = 0
    for window in Window.objects.filter(status=Status.SCHEDULED, starts_at__lte=now):
        steps += _step(window, Status.SCHEDULED, Status.STARTING, now=now)
    for window in Window.objects.filter(status=Status.ACTIVE, ends_at__lte=now):
        steps += _step(window, Status.ACTIVE, Status.ENDING, now=now)
    for window in Window.objects.filter(
        status__in=Window.WORKING_STATES, claimed_at__lt=stale
    ):
        steps += _step(window, window.status, window.status, now=now)
    return steps


def _step(window: Window, old: str, new: str, *, now: datetime) -> int:
    claimed = Window.objects.filter(
        pk=window.pk, status=old, claimed_at=window.claimed_at
    ).update(status=new, claimed_at=now)
    if not claimed:
        return 0
    window.refresh_from_db()
    if new == Status.STARTING:
        _start(window)
    else:
        _end(window)
    return 1


def _items(window: Window, states) -> QuerySet[WindowItem]:
    return window.items.filter(state__in=states).select_related("workspace")


def _start(window: Window) -> None:
    for item in _items(window, (State.PENDING, State.DISABLING)).iterator(100):
        _disable_item(window, item)
        Window.objects.filter(pk=window.pk).update(claimed_at=timezone.now())
    moved = Window.objects.filter(pk=window.pk, status=Status.STARTING).update(
        status=Status.ACTIVE, started_at=timezone.now()
    )
    if moved:
        _record_window(window, Action.WINDOW_STARTED, _tally(window))


def _end(window: Window) -> None:
    for item in _items(window, (State.DISABLED, State.ENABLING)).iterator(100):
        _enable_item(window, item)
        Window.objects.filter(pk=window.pk).update(claimed_at=timezone.now())
    moved = Window.objects.filter(pk=window.pk, status=Status.ENDING).update(
        status=Status.ENDED, ended_at=timezone.now()
    )
    if moved:
        _record_window(window, Action.WINDOW_ENDED, _tally(window))


def _disable_item(window: Window, item: WindowItem) -> None:
    schedule = _cached(item)
    maker = window.created_by
    if schedule is not None and (
        maker is None or not access.may_operate(maker, schedule.workspace)
    ):
        # Re-enabling at the end stays allowed: it only undoes the window.
        _move(
            window,
            item,
            State.NOT_DISABLED,
            "Whoever made the window may no longer operate this workspace.",
        )
        return
    if schedule is None:
        _move(
            window,
            item,
            State.NOT_DISABLED,
            "No longer in the portal (deleted in AAC?).",
        )
        return
    try:
        now = read_schedule(schedule)
        if now is None:
            _move(window, item, State.NOT_DISABLED, "AAC no longer has it.")
            return
        take_answer(schedule, now)
        if not now.get("enabled"):
            if item.state == State.DISABLING:
                # The worker before this one disabled it and died.
                _move(
                    window,
                    item,
                    State.DISABLED,
                    "Disabled in AAC.",
                    version=now.get("updatedAt"),
                )
            else:
                _move(
                    window,
                    item,
                    State.ALREADY_DISABLED,
                    "Already disabled: left alone, and left disabled at the end.",
                )
            return
        _mark(item, State.DISABLING)
        changed = change_schedule(schedule, enable=False)
    except ActionFailed as exc:
        _move(window, item, State.NOT_DISABLED, exc.message, request_id=exc.request_id)
        return
    _move(
        window,
        item,
        State.DISABLED,
        "Disabled in AAC.",
        version=changed.schedule.get("updatedAt"),
        request_id=changed.request_id,
        logged=Action.DISABLE,
    )


def _enable_item(window: Window, item: WindowItem) -> None:
    schedule = _cached(item)
    if schedule is None:
        _move(window, item, State.LEFT, "Deleted in between: nothing to re-enable.")
        return
    try:
        now = read_schedule(schedule)
        if now is None:
            _move(
                window,
                item,
                State.LEFT,
                "Deleted in AAC in between: nothing to re-enable.",
            )
            return
        take_answer(schedule, now)
        if now.get("enabled"):
            if item.state == State.ENABLING:
                _move(window, item, State.RE_ENABLED, "Re-enabled in AAC.")
            else:
                _move(
                    window,
                    item,
                    State.LEFT,
                    "Enabled by someone in between: left as it is.",
                )
            return
        if str(now.get("updatedAt")) != item.disabled_version:
            who = _person(schedule, now.get("updatedBy"))
            _move(
                window,
                item,
                State.LEFT,
                f"Changed in AAC since the window disabled it (by {who}, at "
                f"{now.get('updatedAt')}): left as its owner set it.",
            )
            return
        _mark(item, State.ENABLING)
        changed = change_schedule(schedule, enable=True)
    except ActionFailed as exc:
        _move(window, item, State.NOT_ENABLED, exc.message, request_id=exc.request_id)
        return
    _move(
        window,
        item,
        State.RE_ENABLED,
        "Re-enabled in AAC.",
        request_id=changed.request_id,
        logged=Action.ENABLE,
    )


def _person(schedule: Schedule, aac_id: object) -> str:
    """Who AAC says changed it, by the name the people list gives them."""
    if not isinstance(aac_id, int):
        return "someone"
    person = Person.objects.filter(workspace=schedule.workspace, aac_id=aac_id).first()
    return str(person) if person else f"AAC person {aac_id}"


def _cached(item: WindowItem) -> Schedule | None:
    if item.workspace is None:
        return None
    return (
        Schedule.objects.filter(workspace=item.workspace, aac_id=item.schedule_aac_id)
        .select_related("workspace")
        .first()
    )


def _mark(item: WindowItem, state: str) -> None:
    """The call is about to be made: a worker taking over reads AAC first."""
    WindowItem.objects.filter(pk=item.pk, state=item.state).update(state=state)
    item.state = state


def _move(
    window: Window,
    item: WindowItem,
    state: str,
    message: str,
    *,
    version: object = None,
    request_id: str | None = None,
    logged: str = "",
) -> None:
    fields = {
        "state": state,
        "message": message,
        "aac_request_id": request_id or "",
        "finished_at": timezone.now(),
    }
    if version is not None:
        fields["disabled_version"] = str(version)
    moved = WindowItem.objects.filter(pk=item.pk, state=item.state).update(**fields)
    failed = state in (State.NOT_DISABLED, State.NOT_ENABLED)
    if moved and (logged or failed):
        verb = logged or (
            Action.DISABLE if state == State.NOT_DISABLED else Action.ENABLE
        )
        record(
            verb,
            outcome=Outcome.FAILED if failed else Outcome.SUCCEEDED,
            user=window.created_by,
            username=window.created_by_name,
            workspace=item.workspace,
            target_kind="schedule",
            target_id=item.schedule_aac_id,
            target_name=item.schedule_name,
            message=f"Maintenance window “{window.reason}”: {message}",
            request_id=request_id,
        )


def _tally(window: Window) -> str:
    counts = Counter(window.items.values_list("state", flat=True))
    return (
        "; ".join(f"{State(s).label}: {n}" for s, n in sorted(counts.items()))
        or "No schedules."
    )


def _record_window(
    window: Window,
    action: str,
    message: str,
    *,
    user=None,
    outcome: str = Outcome.SUCCEEDED,
) -> None:
    """One row per workspace the window covers, so each workspace's people see it."""
    names = window.items.order_by().values_list("workspace_id", "workspace_name")
    # Named as the items name them: a workspace deleted since keeps its name.
    workspaces = [Workspace(pk=pk, name=name) for pk, name in names.distinct() if pk]
    for workspace in workspaces or [None]:
        record(
            action,
            outcome=outcome,
            user=user or window.created_by,
            username=window.created_by_name,
            workspace=workspace,
            target_kind="window",
            target_id=window.pk,
            target_name=window.reason,
            message=message,
        )


def visible_windows(user) -> QuerySet[Window]:
    """Windows over a workspace the user sees, and their own."""
    items = access.scope(WindowItem.objects.all(), user)
    return Window.objects.filter(
        Q(pk__in=items.values("window_id")) | Q(created_by=user)
    )


def visible_window_or_404(user, window_id: int) -> Window:
    found = visible_windows(user).filter(pk=window_id).first()
    if found is None:
        raise Http404("No such window")
    return found


def may_act_on(user, window: Window) -> bool:
    """Operators of every workspace it covers (or whoever made it, while they
    still operate them) may cancel or end it."""
    workspaces = set(
        window.items.exclude(workspace=None).values_list("workspace_id", flat=True)
    )
    operable = access.operable_ids(user)
    return bool(operable) and workspaces <= operable
