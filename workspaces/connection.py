"""AAC clients for a workspace, and the one way to call AAC with its token.

Endpoints come from `settings.AAC_REGIONS` by the workspace's region, never
from the database or a token (RELIABILITY rule 6). `call_aac` owns the
"401 with a token we believed valid" dance: force one refresh, retry once,
and on a second 401 mark the workspace as needing re-authorisation.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from aac import AACClient, Endpoints
from aac.errors import AuthError
from workspaces.models import Workspace
from workspaces.tokens import (
    HOW_TO_FIX,
    TokenProblem,
    force_refresh,
    fresh_access_token,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


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


def call_aac(workspace: Workspace, fn: Callable[[AACClient], T]) -> T:
    """Run `fn(client)` with a fresh token; on success the workspace is "ok".

    Only a 401 means the token: a 403 (for example changing a schedule one
    does not own) is re-raised as it is, like every other typed AAC error.
    Raises TokenProblem without calling AAC when the workspace needs
    re-authorisation.
    """
    token = fresh_access_token(workspace)
    try:
        result = fn(client_for(workspace, token))
    except AuthError as exc:
        if exc.status != 401:
            raise
        logger.info(
            "Workspace %s: AAC refused the access token; refreshing", workspace.pk
        )
        token = force_refresh(workspace, rejected_token=token)
        try:
            result = fn(client_for(workspace, token))
        except AuthError as again:
            if again.status != 401:
                raise
            reason = (
                f"AAC refused a freshly refreshed access token ({again}). {HOW_TO_FIX}"
            )
            workspace.set_state(Workspace.State.NEEDS_REAUTH, reason)
            logger.warning("Workspace %s: %s", workspace.pk, reason)
            raise TokenProblem(reason, kind=TokenProblem.NEEDS_REAUTH) from None
    workspace.set_state(Workspace.State.OK)
    return result
