"""The portal's pages and buttons, under the namespace "pages"."""

from django.urls import path

from pages.views import dashboard, schedules, sync, tokens, workspace

app_name = "pages"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("schedules/", schedules.schedule_list, name="schedules"),
    path("schedules.csv", schedules.schedule_csv, name="schedules_csv"),
    path("sync/", sync.sync_all, name="sync_all"),
    path("sync/status/", sync.sync_status, name="sync_status"),
    path("workspaces/<int:workspace_id>/", workspace.workspace, name="workspace"),
    path(
        "workspaces/<int:workspace_id>/sync/",
        sync.workspace_sync,
        name="workspace_sync",
    ),
    path(
        "workspaces/<int:workspace_id>/refresh-tokens/",
        tokens.workspace_refresh_tokens,
        name="workspace_refresh_tokens",
    ),
]
