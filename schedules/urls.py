from django.urls import path

from schedules import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules.csv", views.schedule_csv, name="schedules_csv"),
    path("sync/", views.sync_all, name="sync_all"),
    path("sync/status/", views.sync_status, name="sync_status"),
    path("workspaces/<int:workspace_id>/", views.workspace, name="workspace"),
    path(
        "workspaces/<int:workspace_id>/sync/",
        views.workspace_sync,
        name="workspace_sync",
    ),
    path(
        "workspaces/<int:workspace_id>/refresh-tokens/",
        views.workspace_refresh_tokens,
        name="workspace_refresh_tokens",
    ),
]
