"""The API under /api/v1/ (namespace "api"), its schema and docs, and the
tokens page.

The API's views authenticate themselves (a token, or the portal's session):
they are exempt from the login middleware, which would answer a script with
a redirect to the login form instead of a 401.
"""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.errors import not_found
from api.views import (
    actions,
    assets,
    connections,
    records,
    schedules,
    tokens,
    workspaces,
)
from schedules.assets.models import AssetKind

app_name = "api"


def api(view) -> object:
    return login_not_required(view.as_view())


urlpatterns = [
    path("v1/workspaces/", api(workspaces.WorkspaceList), name="workspaces"),
    path(
        "v1/workspaces/<int:workspace_id>/",
        api(workspaces.WorkspaceDetail),
        name="workspace",
    ),
    path(
        "v1/workspaces/<int:workspace_id>/sync/",
        api(workspaces.WorkspaceSync),
        name="workspace_sync",
    ),
    path(
        "v1/workspaces/<int:workspace_id>/schedules/<int:aac_id>/",
        api(schedules.ScheduleDetail),
        name="schedule",
    ),
    path("v1/sync/", api(workspaces.SyncAll), name="sync_all"),
    path("v1/sync-runs/", api(workspaces.SyncRunList), name="sync_runs"),
    path("v1/sync-runs/<int:run_id>/", api(workspaces.SyncRunDetail), name="sync_run"),
    path("v1/schedules/", api(schedules.ScheduleList), name="schedules"),
    path("v1/plans/", api(assets.asset_list(AssetKind.PLAN)), name="plans"),
    path("v1/flows/", api(assets.asset_list(AssetKind.FLOW)), name="flows"),
    path("v1/workflows/", api(assets.asset_list(AssetKind.WORKFLOW)), name="workflows"),
    path("v1/runs/", api(assets.RunList), name="runs"),
    path(
        "v1/connections/<int:connection_id>/refresh/",
        api(connections.ConnectionRefresh),
        name="connection_refresh",
    ),
    path(
        "v1/connection-tasks/<int:task_id>/",
        api(connections.ConnectionTaskDetail),
        name="connection_task",
    ),
    path(
        "v1/workspaces/<int:workspace_id>/<str:kind>/<str:aac_id>/run/",
        api(actions.RunNow),
        name="run_now",
    ),
    path(
        "v1/run-requests/<int:run_id>/",
        api(actions.RunRequestDetail),
        name="run_request",
    ),
    path("v1/changes/", api(actions.ChangeCreate), name="changes"),
    path("v1/changes/<int:change_id>/", api(actions.ChangeDetail), name="change"),
    path("v1/windows/", api(actions.WindowList), name="windows"),
    path("v1/windows/<int:window_id>/", api(actions.WindowDetail), name="window"),
    path(
        "v1/windows/<int:window_id>/cancel/",
        api(actions.WindowCancel),
        name="window_cancel",
    ),
    path("v1/windows/<int:window_id>/end/", api(actions.WindowEnd), name="window_end"),
    path("v1/findings/", api(records.FindingList), name="findings"),
    path("v1/activity/", api(records.ActivityList), name="activity"),
    path("schema/", api(SpectacularAPIView), name="schema"),
    # A page for people: the login form for a visitor, not a 401.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/docs.html"
            )
        ),
        name="docs",
    ),
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    re_path(r"^(?P<rest>.*)$", login_not_required(not_found), name="not_found"),
]
