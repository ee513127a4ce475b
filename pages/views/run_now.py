"""Run now: the confirmation (workspace, asset, connection), the press, and the
run's live status until it ends.

The confirmation's form carries an execution id made as it is rendered: one
per press, so the same form sent twice starts one run (docs/reliability.md
rule 7). A kind of task the portal cannot start shows the reason and no
button.
"""

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import RunRequest
from actions.runs import (
    AlreadyPressed,
    Target,
    connection_for,
    new_execution_id,
    request_run,
    target_of,
)
from schedules.assets.models import ASSET_MODELS
from workspaces import access
from workspaces.acting import NoConnection
from workspaces.queueing import QueueUnavailable

EXECUTION_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
KINDS = ("schedule", *ASSET_MODELS)


@require_http_methods(["GET", "POST"])
def run_now(request: HttpRequest, workspace_id: int, kind: str, aac_id: str):
    workspace = access.operable_workspace_or_403(request.user, workspace_id)
    target = target_of(workspace, kind, aac_id)
    if request.method == "GET":
        return _confirmation(request, target, execution_id=new_execution_id())
    execution_id = request.POST.get("execution_id", "")
    if target.refusal or not EXECUTION_ID.fullmatch(execution_id):
        return _confirmation(
            request, target, execution_id=new_execution_id(), status=400
        )
    try:
        run = request_run(actor=request.user, target=target, execution_id=execution_id)
    except AlreadyPressed as exc:
        theirs = exc.request
        return _confirmation(
            request,
            target,
            execution_id=new_execution_id(),
            status=409,
            busy=theirs,
        )
    except QueueUnavailable as exc:
        return _confirmation(
            request,
            target,
            execution_id=new_execution_id(),
            status=503,
            error=exc.message,
        )
    return redirect("pages:run_request", run_id=run.pk)


@require_GET
def run_request(request: HttpRequest, run_id: int) -> HttpResponse:
    """A press of Run now, live: the fragment polls itself until the run ends."""
    runs = access.scope(RunRequest.objects.select_related("workspace"), request.user)
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise Http404("No such run")
    template = "pages/_run_request.html" if request.htmx else "pages/run_request.html"
    return render(request, template, {"run": run})


def _confirmation(
    request: HttpRequest,
    target: Target,
    *,
    execution_id: str,
    status: int = 200,
    busy: RunRequest | None = None,
    error: str = "",
) -> HttpResponse:
    connection, refusal = None, target.refusal
    if not refusal:
        try:
            connection = connection_for(target)
        except NoConnection as exc:
            refusal = exc.message
    context = {
        "target": target,
        "connection": connection,
        "refusal": refusal,
        "execution_id": execution_id,
        "busy": busy,
        "error": error,
        "kind_label": target.kind.capitalize(),
    }
    return render(request, "pages/run_confirm.html", context, status=status)
