"""Links to AAC's own web UI: a schedule, a plan, a flow, a workflow or a run.

The region's `ui_url` (its API host unless AAC_REGIONS says otherwise) and
the paths of AAC_UI_PATHS, which are a guess (docs/aac-api.md, Hosts): a
link may be wrong, never dangerous, since both come from settings alone.
"""

from django.conf import settings

from workspaces.models import Workspace


def aac_url(workspace: Workspace, what: str, aac_id: int | str) -> str:
    """Where AAC's UI shows `what` ("schedule", "plan", ...); "" when unknown."""
    region = settings.AAC_REGIONS.get(workspace.region)
    path = settings.AAC_UI_PATHS.get(what)
    if region is None or path is None:
        return ""
    base = (region.get("ui_url") or region["api_url"]).rstrip("/")
    return base + path.format(id=aac_id)
