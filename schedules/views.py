"""The portal's pages. Thin: they read the cache through scoped querysets."""

from django.shortcuts import get_object_or_404, render

from workspaces.models import Workspace


def dashboard(request):
    workspaces = Workspace.objects.visible_to(request.user)
    return render(request, "schedules/dashboard.html", {"workspaces": workspaces})


def workspace(request, workspace_id):
    ws = get_object_or_404(Workspace.objects.visible_to(request.user), pk=workspace_id)
    return render(request, "schedules/workspace.html", {"workspace": ws})
