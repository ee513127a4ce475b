"""What a button answers: a fragment for htmx, a message and a redirect otherwise."""

from collections.abc import Sequence

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pages.poller import Poller
from schedules.models import SyncRun
from schedules.queueing import QueueError
from workspaces.models import ConnectionTask


def button_answer(
    request: HttpRequest,
    *,
    message: str,
    back: str,
    runs: Sequence[SyncRun] = (),
    poller: Poller | None = None,
    status: int = 200,
    task: ConnectionTask | None = None,
) -> HttpResponse:
    """htmx swaps the fragment in; a plain form post gets a message and `back`.

    `task` is a connection's test or refresh to follow: the fragment polls it
    until it ends.
    """
    ok = status < 400
    if not request.htmx:
        (messages.success if ok else messages.error)(request, message)
        return redirect(back)
    context = {
        "message": message,
        "ok": ok,
        "runs": runs,
        "poller": poller,
        "task": task,
    }
    return render(request, "pages/_button_answer.html", context, status=status)


def queue_refusal(
    request: HttpRequest, exc: QueueError, *, poller: Poller, back: str
) -> HttpResponse:
    """Why a sync was not queued: 503 when the broker is down, 409 when one is
    already under way."""
    status = 503 if exc.unavailable else 409
    return button_answer(
        request, message=exc.message, back=back, poller=poller, status=status
    )
