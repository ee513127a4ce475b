"""The portal's pages and buttons, under the namespace "pages"."""

from django.urls import path

from pages.views import (
    activity,
    assets,
    attention,
    changes,
    connections,
    dashboard,
    run_now,
    runs,
    schedule,
    schedules,
    sync,
    windows,
    workspace,
)

app_name = "pages"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("schedules/", schedules.schedule_list, name="schedules"),
    path("schedules.csv", schedules.schedule_csv, name="schedules_csv"),
    path("runs/", runs.run_list, name="runs"),
    path("plans/", assets.asset_list, {"kind": "plan"}, name="plans"),
    path("flows/", assets.asset_list, {"kind": "flow"}, name="flows"),
    path("workflows/", assets.asset_list, {"kind": "workflow"}, name="workflows"),
    path("attention/", attention.attention, name="attention"),
    path(
        "attention/findings/<int:finding_id>/mute/",
        attention.finding_mute,
        name="finding_mute",
    ),
    path(
        "attention/findings/<int:finding_id>/unmute/",
        attention.finding_unmute,
        name="finding_unmute",
    ),
    path("activity/", activity.activity, name="activity"),
    path("activity.csv", activity.activity_csv, name="activity_csv"),
    path("changes/new/", changes.change_new, name="change_new"),
    path("changes/", changes.change_create, name="change_create"),
    path("changes/<int:change_id>/", changes.change, name="change"),
    path("windows/", windows.window_list, name="windows"),
    path("windows/new/", windows.window_new, name="window_new"),
    path("windows/create/", windows.window_create, name="window_create"),
    path("windows/<int:window_id>/", windows.window, name="window"),
    path(
        "windows/<int:window_id>/cancel/", windows.window_cancel, name="window_cancel"
    ),
    path("windows/<int:window_id>/end/", windows.window_end, name="window_end"),
    path(
        "workspaces/<int:workspace_id>/run/<str:kind>/<str:aac_id>/",
        run_now.run_now,
        name="run_now",
    ),
    path("run-requests/<int:run_id>/", run_now.run_request, name="run_request"),
    path("sync/", sync.sync_all, name="sync_all"),
    path("sync/status/", sync.sync_status, name="sync_status"),
    path("workspaces/<int:workspace_id>/", workspace.workspace, name="workspace"),
    path(
        "workspaces/<int:workspace_id>/schedules/<int:aac_id>/",
        schedule.schedule,
        name="schedule",
    ),
    path(
        "workspaces/<int:workspace_id>/plans/<int:aac_id>/",
        assets.asset,
        {"kind": "plan"},
        name="plan",
    ),
    path(
        "workspaces/<int:workspace_id>/flows/<int:aac_id>/",
        assets.asset,
        {"kind": "flow"},
        name="flow",
    ),
    path(
        "workspaces/<int:workspace_id>/workflows/<str:aac_id>/",
        assets.asset,
        {"kind": "workflow"},
        name="workflow",
    ),
    path(
        "workspaces/<int:workspace_id>/sync/",
        sync.workspace_sync,
        name="workspace_sync",
    ),
    path(
        "workspaces/<int:workspace_id>/connections/",
        connections.connections,
        name="connections",
    ),
    path(
        "workspaces/<int:workspace_id>/connections/connect/",
        connections.connect,
        name="connect",
    ),
    path(
        "connections/<int:connection_id>/test/",
        connections.connection_test,
        name="connection_test",
    ),
    path(
        "connections/<int:connection_id>/refresh/",
        connections.connection_refresh,
        name="connection_refresh",
    ),
    path(
        "connections/<int:connection_id>/remove/",
        connections.connection_remove,
        name="connection_remove",
    ),
    path(
        "connection-tasks/<int:task_id>/",
        connections.connection_task,
        name="connection_task",
    ),
]
