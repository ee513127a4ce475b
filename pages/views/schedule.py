"""A schedule's page: its triggers, next runs, what it runs, owner and runs."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from actions.runs import target_of_schedule
from pages.aac_links import aac_url
from pages.history import run_history, targets, triggers_in_words, upcoming
from schedules.models import Run, Schedule
from workspaces import access


def schedule(request: HttpRequest, workspace_id: int, aac_id: int) -> HttpResponse:
    workspace = access.visible_workspace_or_404(request.user, workspace_id)
    item = get_object_or_404(Schedule, workspace=workspace, aac_id=aac_id)
    now = timezone.now()
    runs = Run.objects.filter(workspace=workspace, schedule_aac_id=item.aac_id)
    context = {
        "workspace": workspace,
        "schedule": item,
        "triggers": triggers_in_words(item),
        "upcoming": upcoming(item, now=now),
        "targets": targets(item),
        "history": run_history(runs, now=now),
        "aac_url": aac_url(workspace, "schedule", item.aac_id),
        "can_operate": access.may_operate(request.user, workspace),
        "run": target_of_schedule(item),
    }
    return render(request, "pages/schedule.html", context)
