"""Links to AAC's own web UI: a schedule, a plan, a flow, a workflow or a run.

The region's `ui_url` (its API host unless AAC_REGIONS says otherwise) and
the paths of AAC_UI_PATHS, which are a guess (docs/aac-api.md, Hosts): a
link may be wrong, never dangerous, since both come from settings alone.
"""

from django.conf import settings

from workspaces.models import Workspace


def aac_url(workspace: Workspace, what: str, aac_id: int | str) -> str:
    """Where AAC's UI shows `what` ("schedule", "plan", ...); "" when unknown."""
    return region_url(workspace.region, what, aac_id)


def region_url(region: str, what: str, aac_id: int | str) -> str:
    """The same from the workspace's region alone: a table's rows carry that."""
    hosts = settings.AAC_REGIONS.get(region)
    path = settings.AAC_UI_PATHS.get(what)
    if hosts is None or path is None:
        return ""
    base = (hosts.get("ui_url") or hosts["api_url"]).rstrip("/")
    return base + path.format(id=aac_id)
