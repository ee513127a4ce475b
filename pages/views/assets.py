"""The tables of plans, flows and workflows, and each one's page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from actions.runs import target_of_asset
from pages.aac_links import aac_url
from pages.assets import PLURALS, asset_rows, build_asset_table
from pages.coverage import partially_seen
from pages.history import run_history
from schedules.assets.models import ASSET_MODELS
from schedules.listing import workspace_choices
from schedules.models import Run
from workspaces import access


def asset_list(request: HttpRequest, kind: str) -> HttpResponse:
    table = build_asset_table(
        kind,
        access.scope(ASSET_MODELS[kind].objects.all(), request.user),
        request.GET,
        workspaces=workspace_choices(request.user),
    )
    context = {"table": table, "partial": partially_seen(request.user)}
    return render(request, "pages/asset_list.html", context)


def asset(
    request: HttpRequest, workspace_id: int, aac_id: int | str, kind: str
) -> HttpResponse:
    workspace = access.visible_workspace_or_404(request.user, workspace_id)
    found = ASSET_MODELS[kind].objects.filter(workspace=workspace).defer("raw")
    item = get_object_or_404(found, aac_id=aac_id)
    item.workspace = workspace
    runs = Run.objects.filter(
        workspace=workspace, asset_kind=kind, asset_aac_id=str(item.aac_id)
    )
    context = {
        "workspace": workspace,
        "row": asset_rows(kind, [item])[0],
        "plural": PLURALS[kind],
        "history": run_history(runs, now=timezone.now()),
        "aac_url": aac_url(workspace, kind, item.aac_id),
        "can_operate": access.may_operate(request.user, workspace),
        "run": target_of_asset(item),
    }
    return render(request, "pages/asset.html", context)
