"""One refresh under a held lease: the POST, its failures classified, the guarded save.

The POST is retried only as docs/reliability.md rule 5 allows; every outcome
is recorded on the workspace (the lease holder is the only caller), and the
new pair is saved in one UPDATE guarded by the lease id before anyone uses it.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, F, Value, When
from django.utils import timezone

from aac import AACClient, TokenGrant, parse_access_token
from aac.errors import (
    AACError,
    InvalidGrant,
    RateLimited,
    Unavailable,
    UntrustedIssuer,
)
from aac.jwt import check_issuer
from workspaces.clients import client_for
from workspaces.models import Workspace
from workspaces.tokens.problems import REAUTH_HELP, TokenProblem, fail
from workspaces.tokens.rows import load

logger = logging.getLogger(__name__)

State = Workspace.State

ANSWER_LOST = "Refresh answer lost; the token may have been consumed."
# A refresh is at most three POSTs: one, a retry after "connection refused"
# and a retry after an ambiguous failure (rule 5).
MAX_REFRESH_POSTS = 3


def refresh_holding(workspace: Workspace, row: Workspace, lease: uuid.UUID) -> str:
    """The lease is ours: one refresh (plus the retries rule 5 allows), then save."""
    region = settings.AAC_REGIONS.get(row.region)
    if region is None:
        raise fail(workspace, State.ERROR, f"Region {row.region!r} is not configured.")
    claims = parse_access_token(row.access_token) if row.access_token else None
    if claims is not None:
        try:
            check_issuer(claims, region["issuer"])
        except UntrustedIssuer:
            # Rule 6: the token URL comes from settings anyway; a foreign
            # issuer means a wrong region or a crafted token. Send nothing.
            raise fail(
                workspace,
                State.ERROR,
                f"Refused to refresh: token issued by an unexpected issuer "
                f"({claims.iss}, not {region['issuer']}).",
            ) from None
    if not row.refresh_token:
        raise fail(
            workspace, State.NEEDS_REAUTH, f"No refresh token stored. {REAUTH_HELP}"
        )
    client_id = row.client_id or (claims.client_id if claims else None)
    if not client_id:
        raise fail(
            workspace,
            State.ERROR,
            "No OAuth client id: enter it in the admin; the access token has none.",
        )

    client = client_for(workspace)
    sent_at = timezone.now()
    try:
        grant = _exchange(client, row.refresh_token, client_id)
    except (_AnswerLost, InvalidGrant) as exc:
        # Rule 5: first re-read; a changed refresh token means a race (an
        # admin pasted a pair meanwhile), not a dead grant.
        current = load(workspace)
        if current.refresh_token != row.refresh_token and current.access_token:
            logger.info("Workspace %s: tokens replaced during a refresh", row.pk)
            return current.access_token
        if isinstance(exc, _AnswerLost):
            reason = ANSWER_LOST
        else:
            description = (exc.description or str(exc)).rstrip(".")
            reason = f"AAC refused the refresh token: {description}."
        raise fail(workspace, State.NEEDS_REAUTH, f"{reason} {REAUTH_HELP}") from None
    except RateLimited as exc:
        raise TokenProblem(
            "AAC's token server is rate limiting; the refresh will be retried.",
            kind=TokenProblem.RATE_LIMITED,
            retry_after=exc.retry_after,
        ) from None
    except Unavailable as exc:
        raise fail(
            workspace,
            State.ERROR,
            f"AAC's token server is unreachable; tokens unchanged ({exc}).",
            kind=TokenProblem.UNAVAILABLE,
        ) from None
    except AACError as exc:
        raise fail(
            workspace,
            State.ERROR,
            f"Token refresh failed; tokens unchanged: {exc}",
            kind=TokenProblem.FAILED,
        ) from None
    return _persist(workspace, lease, grant, sent_at=sent_at, spent=row.refresh_token)


class _AnswerLost(Exception):
    """An ambiguous refresh whose one guarded retry did not succeed."""


def _exchange(client: AACClient, refresh_token: str, client_id: str) -> TokenGrant:
    """POST the refresh, retrying only as rule 5 allows.

    Nothing sent (connection refused): retry once. Ambiguous (timeout, reset,
    5xx after sending): retry once with the same token; when that retry is
    refused as a used grant or is lost too, the first attempt probably
    consumed the token.
    """
    retried_unsent = ambiguous = False
    while True:
        try:
            return client.refresh(refresh_token, client_id)
        except (Unavailable, InvalidGrant) as exc:
            if ambiguous:
                raise _AnswerLost from exc
            if isinstance(exc, InvalidGrant):
                raise
            if exc.maybe_sent:
                ambiguous = True
            elif retried_unsent:
                raise
            else:
                retried_unsent = True
            logger.warning("Token refresh failed (%s); retrying once", exc)


def _persist(
    workspace: Workspace,
    lease: uuid.UUID,
    grant: TokenGrant,
    *,
    sent_at: datetime,
    spent: str,
) -> str:
    """Save the new pair in one UPDATE guarded by our lease, and release it.

    `refresh_token_issued_at` keeps the time the pair was pasted: whether a
    rotated refresh token inherits the original lifetime is unknown, so the
    portal warns by the earliest possible expiry.
    """
    values = {
        "access_token": grant.access_token,
        "access_token_expires_at": _expiry(
            grant.access_token, grant.expires_in, sent_at
        ),
        "refresh_lease_id": None,
        "refresh_lease_expires_at": None,
        "state": Value(State.OK),
        "state_reason": Value(""),
        "state_changed_at": Case(
            When(state=State.OK, then=F("state_changed_at")), default=Value(sent_at)
        ),
    }
    if grant.refresh_token:
        values["refresh_token"] = grant.refresh_token
    else:
        logger.warning(
            "Workspace %s: AAC's token answer had no refresh token; keeping the "
            "stored one",
            workspace.pk,
        )
    saved = Workspace.objects.filter(pk=workspace.pk, refresh_lease_id=lease).update(
        **values
    )
    if not saved:
        # An admin pasted a new pair meanwhile (that clears the lease), or the
        # lease expired, which the budget check (workspaces.E006) rules out.
        row = load(workspace)
        if row.refresh_token != spent and row.access_token:
            logger.info("Workspace %s: tokens replaced during a refresh", workspace.pk)
            return row.access_token
        logger.error("Workspace %s: refresh lease lost before saving", workspace.pk)
        raise TokenProblem(
            "The refresh lease expired before the new tokens were saved.",
            kind=TokenProblem.FAILED,
        )
    if workspace.state != State.OK:
        workspace.state_changed_at = sent_at
    workspace.state, workspace.state_reason = State.OK, ""
    logger.info(
        "Refreshed the tokens of workspace %s; access token expires %s",
        workspace.pk,
        values["access_token_expires_at"] or "at an unknown time",
    )
    return grant.access_token


def _expiry(
    access_token: str, expires_in: int | None, sent_at: datetime
) -> datetime | None:
    """The earlier of `expires_in` (counted from sending) and the JWT's `exp`.

    `expires_in` is immune to clock skew, `exp` to a slow answer; None when
    neither is known (an opaque token without `expires_in`).
    """
    candidates = []
    if expires_in is not None:
        candidates.append(sent_at + timedelta(seconds=expires_in))
    claims = parse_access_token(access_token)
    if claims is not None and claims.exp is not None:
        candidates.append(claims.exp)
    return min(candidates, default=None)
