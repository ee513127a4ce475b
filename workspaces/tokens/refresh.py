"""One refresh under a held lease: the POST, its failures classified, the guarded save.

The POST is retried only as docs/reliability.md rule 5 allows; every outcome
is recorded on the connection (the lease holder is the only caller), and the
new pair is saved in one UPDATE guarded by the lease id before anyone uses it.
"""

import hashlib
import logging
import uuid
from datetime import datetime, timedelta

from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from aac import AACClient, TokenGrant, parse_access_token
from aac.errors import (
    AACError,
    AuthError,
    InvalidGrant,
    RateLimited,
    Rejected,
    Unavailable,
)
from workspaces.clients import client_for
from workspaces.models import Connection
from workspaces.tokens.problems import REAUTH_HELP, TokenProblem, fail
from workspaces.tokens.rows import load

logger = logging.getLogger(__name__)

State = Connection.State

ANSWER_LOST = "Refresh answer lost; the token may have been consumed."
ANSWER_UNREADABLE = (
    "The token server's answer could not be read; the refresh token may have "
    "been spent."
)
# A refresh is at most three POSTs: one, a retry after "connection refused"
# and a retry after an ambiguous failure (rule 5).
MAX_REFRESH_POSTS = 3


@sensitive_variables()
def digest(refresh_token: str) -> str:
    """What `Connection.refresh_token_digest` holds for a refresh token."""
    return hashlib.sha256(refresh_token.encode()).hexdigest()


@sensitive_variables()
def refresh_holding(connection: Connection, row: Connection, lease: uuid.UUID) -> str:
    """The lease is ours: one refresh (plus the retries rule 5 allows), then save.

    The caller has checked the region and the stored token's issuer.
    """
    if not row.refresh_token:
        raise fail(
            connection, State.NEEDS_REAUTH, f"No refresh token stored. {REAUTH_HELP}"
        )
    claims = parse_access_token(row.access_token) if row.access_token else None
    client_id = row.client_id or (claims.client_id if claims else None)
    if not client_id:
        raise fail(
            connection,
            State.ERROR,
            "No OAuth client id: enter it in the admin; the access token has none.",
        )

    client = client_for(row.workspace)
    sent_at = timezone.now()
    try:
        grant = _exchange(client, row.refresh_token, client_id)
    except (_AnswerLost, InvalidGrant) as exc:
        # Rule 5: first re-read; a changed refresh token means a race (an
        # admin pasted a pair meanwhile), not a dead grant.
        current = load(connection)
        if current.refresh_token != row.refresh_token and current.access_token:
            logger.info("Connection %s: tokens replaced during a refresh", row.pk)
            return current.access_token
        raise fail(
            connection, State.NEEDS_REAUTH, f"{_refusal(exc)} {REAUTH_HELP}"
        ) from None
    except RateLimited as exc:
        raise TokenProblem(
            "AAC's token server is rate limiting; the refresh will be retried.",
            kind=TokenProblem.RATE_LIMITED,
            retry_after=exc.retry_after,
        ) from None
    except Unavailable as exc:
        raise fail(
            connection,
            State.ERROR,
            f"AAC's token server is unreachable; tokens unchanged ({exc}).",
            kind=TokenProblem.UNAVAILABLE,
        ) from None
    except AACError as exc:
        raise fail(
            connection,
            State.ERROR,
            f"AAC's token server refused the refresh; tokens unchanged: {exc}",
            kind=TokenProblem.FAILED,
        ) from None
    return _persist(connection, row, lease, grant, sent_at=sent_at)


class _AnswerLost(Exception):
    """An ambiguous refresh whose one guarded retry did not succeed."""

    def __init__(self, first: AACError) -> None:
        super().__init__(str(first))
        self.first = first


def _refusal(exc: Exception) -> str:
    """Why the refresh token is dead, or may be."""
    if isinstance(exc, _AnswerLost):
        first = exc.first
        if isinstance(first, Unavailable):
            return f"{ANSWER_LOST} ({first})"
        return f"{ANSWER_UNREADABLE} ({first})"
    description = (exc.description or str(exc)).rstrip(".")
    return f"AAC refused the refresh token: {description}."


def _definite(exc: AACError) -> bool:
    """A refusal that says for sure the token server did not rotate: a refused
    grant, a rate limit, or another OAuth error in the token server's own words.

    Anything else after sending (a timeout, a 5xx, an answer that cannot be
    read) may have come after a rotation.
    """
    if isinstance(exc, InvalidGrant | RateLimited):
        return True
    return isinstance(exc, Rejected | AuthError) and bool(exc.code)


def _unsent(exc: AACError) -> bool:
    return isinstance(exc, Unavailable) and not exc.maybe_sent


@sensitive_variables()
def _exchange(client: AACClient, refresh_token: str, client_id: str) -> TokenGrant:
    """POST the refresh, retrying only as rule 5 allows.

    Nothing sent (connection refused): retry once. Ambiguous (anything but a
    readable success or a definite refusal, once the request may have been
    sent): retry once with the same token; whatever that retry meets then
    (a used grant, another ambiguity), the first attempt may have consumed
    the token.
    """
    retried_unsent = False
    ambiguous: AACError | None = None
    while True:
        try:
            return client.refresh(refresh_token, client_id)
        except AACError as exc:
            if ambiguous is not None:
                raise _AnswerLost(ambiguous) from exc
            if _unsent(exc) and not retried_unsent:
                retried_unsent = True
            elif _definite(exc) or _unsent(exc):
                raise
            else:
                ambiguous = exc
            logger.warning("Token refresh failed (%s); retrying once", exc)


@sensitive_variables()
def _persist(
    connection: Connection,
    row: Connection,
    lease: uuid.UUID,
    grant: TokenGrant,
    *,
    sent_at: datetime,
) -> str:
    """Save the new pair in one UPDATE guarded by our lease.

    `refresh_token_issued_at` keeps the time the pair was pasted: whether a
    rotated refresh token inherits the original lifetime is unknown, so the
    portal warns by the earliest possible expiry.
    """
    _check_same_pair(connection, row, grant)
    claims = parse_access_token(grant.access_token)
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
        values["refresh_token_digest"] = digest(grant.refresh_token)
    else:
        logger.warning(
            "Connection %s: AAC's token answer had no refresh token; keeping the "
            "stored one",
            connection.pk,
        )
    if not row.aac_person_id and claims and claims.subject:
        values["aac_person_id"] = claims.subject
    saved = Connection.objects.filter(pk=connection.pk, refresh_lease_id=lease).update(
        **values
    )
    if not saved:
        # An admin pasted a new pair meanwhile (that clears the lease), or the
        # lease expired, which the budget check (workspaces.E006) rules out.
        current = load(connection)
        if current.refresh_token != row.refresh_token and current.access_token:
            logger.info("Connection %s: tokens replaced during a refresh", row.pk)
            return current.access_token
        logger.error("Connection %s: refresh lease lost before saving", connection.pk)
        raise TokenProblem(
            "The refresh lease expired before the new tokens were saved.",
            kind=TokenProblem.FAILED,
        )
    if connection.state != State.OK:
        connection.state_changed_at = sent_at
    connection.state, connection.state_reason = State.OK, ""
    logger.info(
        "Refreshed the tokens of connection %s; access token expires %s",
        connection.pk,
        values["access_token_expires_at"] or "at an unknown time",
    )
    return grant.access_token


@sensitive_variables()
def _check_same_pair(
    connection: Connection, row: Connection, grant: TokenGrant
) -> None:
    """Refuse a new pair for another AAC workspace or person than the old one.

    It happens when the pasted access and refresh tokens were not one pair:
    the refresh token of another workspace (or person) was refreshed, and its
    pair must not be stored here (docs/reliability.md, duplicates). The old
    refresh token is spent either way: a new pair is needed.
    """
    new = parse_access_token(grant.access_token)
    old = parse_access_token(row.access_token) if row.access_token else None
    if new is None:
        return
    gid = row.workspace.aac_gid or (old.workspace_gid if old else None)
    person = row.aac_person_id or (old.subject if old else None)
    if gid and new.workspace_gid and new.workspace_gid != gid:
        what = f"AAC workspace {new.workspace_gid}, not to this one ({gid})"
    elif person and new.subject and new.subject != person:
        what = f"AAC person {new.subject}, not to this connection's person ({person})"
    else:
        return
    raise fail(
        connection,
        State.NEEDS_REAUTH,
        f"The refresh token belonged to {what}: the pasted access and refresh "
        f"tokens were not one pair, and the new pair was not stored. {REAUTH_HELP}",
    )


@sensitive_variables()
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
