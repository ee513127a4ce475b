"""The Alteryx Analytics Cloud client: HTTP calls, token claims, typed errors.

Django-free on purpose, so the simulator's tests, scripts and the portal share
it; the portal builds clients from settings in `workspaces.connection`.
"""

from aac.client import AACClient
from aac.jwt import AccessTokenClaims, parse_access_token
from aac.paging import Page
from aac.results import (
    FINISHED_STATUSES,
    AlreadyStarted,
    FlowRunStarted,
    PlanRunStarted,
    RunRecord,
    WorkflowRunStarted,
)
from aac.tokens import TokenGrant
from aac.transport import Endpoints

__all__ = [
    "FINISHED_STATUSES",
    "AACClient",
    "AccessTokenClaims",
    "AlreadyStarted",
    "Endpoints",
    "FlowRunStarted",
    "Page",
    "PlanRunStarted",
    "RunRecord",
    "TokenGrant",
    "WorkflowRunStarted",
    "parse_access_token",
]
