"""AAC clients for a workspace, built from settings alone.

Endpoints come from `settings.AAC_REGIONS` by the workspace's region, never
from the database or a token (docs/reliability.md rule 6). The token code
checks that the region is configured before it builds one.
"""

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from aac import AACClient, Endpoints
from workspaces.models import Workspace


@sensitive_variables()
def client_for(workspace: Workspace, access_token: str | None = None) -> AACClient:
    """A client for the workspace's region with the configured timeouts."""
    return AACClient(
        Endpoints.from_region(settings.AAC_REGIONS[workspace.region]),
        access_token,
        connect_timeout=settings.AAC_CONNECT_TIMEOUT,
        read_timeout=settings.AAC_READ_TIMEOUT,
        get_attempts=settings.AAC_GET_ATTEMPTS,
        page_size=settings.AAC_PAGE_SIZE,
    )
