"""Fresh AAC access tokens, refreshed one at a time per workspace (RELIABILITY 3-6).

AAC refresh tokens are single-use: two refreshes racing, or one whose answer is
lost, lock a workspace out until someone pastes a new pair. So a refresh is
claim -> refresh outside any transaction -> guarded save. The claim is a lease
taken by a conditional single-row UPDATE (works across processes on SQLite and
PostgreSQL, holds no transaction across HTTP); the winner re-reads the row,
refreshes, and persists the new pair in one UPDATE guarded by its lease id
before anyone uses it; losers poll the row and take the winner's token. This
module and `store_pasted_tokens` are the only writers of the token columns.
"""

import logging
import string
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from aac import parse_access_token
from aac.errors import (
    AACError,
    InvalidGrant,
    RateLimited,
    Unavailable,
    UntrustedIssuer,
)
from aac.jwt import check_issuer
from workspaces.crypto import DecryptionError, EncryptionKeyError
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

State = Workspace.State

HOW_TO_FIX = (
    "Generate a new pair in AAC (User Preferences → OAuth 2.0 API Tokens) and "
    "paste it in the portal's admin."
)
ANSWER_LOST = "Refresh answer lost; the token may have been consumed."
# A refresh is at most three POSTs: one, a retry after "connection refused"
# and a retry after an ambiguous failure (rule 5).
MAX_REFRESH_POSTS = 3
# How often a caller that lost the lease looks at the row again.
POLL_SECONDS = 0.1
_TOKEN_CHARACTERS = frozenset(string.printable) - frozenset(string.whitespace)


class TokenProblem(Exception):
    """No usable access token; `message` is fit for the admin, never holds a token.

    `kind` says what to do: NEEDS_REAUTH (paste a new pair), CONFIGURATION
    (fix settings or the workspace's fields), RATE_LIMITED (wait
    `retry_after` seconds), UNAVAILABLE (the token server is down), BUSY
    (another refresh is still running) or FAILED (AAC's answer was unusable).
    """

    NEEDS_REAUTH = "needs_reauth"
    CONFIGURATION = "configuration"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    BUSY = "busy"
    FAILED = "failed"

    def __init__(self, message: str, *, kind: str, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retry_after = retry_after

    def __repr__(self):
        return f"TokenProblem({self.message!r}, kind={self.kind!r})"


def fresh_access_token(workspace: Workspace, *, min_validity: int | None = None) -> str:
    """An access token valid for at least `min_validity` seconds, refreshed if needed.

    Raises TokenProblem, without calling AAC, when the workspace needs
    re-authorisation.
    """
    if min_validity is None:
        min_validity = settings.AAC_ACCESS_TOKEN_MIN_VALIDITY
    row = _load(workspace)
    if _valid_for(row, min_validity):
        return row.access_token
    return _refresh(workspace, stale_token=row.access_token)


def force_refresh(workspace: Workspace, *, rejected_token: str | None = None) -> str:
    """Refresh because AAC refused `rejected_token` (default: the stored one).

    When another caller has already replaced the rejected token, its
    replacement is returned instead of spending another refresh.
    """
    row = _load(workspace)
    stale_token = row.access_token if rejected_token is None else rejected_token
    if _replaced(row, stale_token):
        return row.access_token
    return _refresh(workspace, stale_token=stale_token)


def check_pasted_token(value: str, *, label: str) -> str:
    """Return a pasted token unchanged, or raise ValidationError naming the field."""
    if not value:
        raise ValidationError(f"{label}: paste the token.", code="required")
    if not value.strip():
        raise ValidationError(f"{label}: only whitespace was pasted.", code="blank")
    if "\n" in value or "\r" in value:
        raise ValidationError(
            f"{label}: spans several lines; paste the token on one line.",
            code="multiline",
        )
    if not set(value) <= _TOKEN_CHARACTERS:
        raise ValidationError(
            f"{label}: contains spaces or other characters a token never has; "
            "paste only the token.",
            code="invalid",
        )
    return value


def check_token_fits(access_token: str, *, region: str, aac_gid: str = "") -> None:
    """Refuse a JWT minted for another region or another AAC workspace.

    A foreign issuer would mean sending the refresh token to the wrong token
    server (rule 6); a foreign workspace would fill this workspace with
    another's schedules. Opaque tokens carry no claims and pass.
    """
    claims = parse_access_token(access_token)
    if claims is None or region not in settings.AAC_REGIONS:
        return
    try:
        check_issuer(claims, settings.AAC_REGIONS[region]["issuer"])
    except UntrustedIssuer as exc:
        raise ValidationError(
            f"Access token: {exc.message}. Choose the workspace's region.",
            code="issuer",
        ) from None
    if aac_gid and claims.workspace_gid and claims.workspace_gid != aac_gid:
        raise ValidationError(
            f"Access token: it belongs to AAC workspace {claims.workspace_gid}, "
            f"not to this one ({aac_gid}).",
            code="workspace",
        )


def store_pasted_tokens(
    workspace: Workspace, *, access_token: str, refresh_token: str
) -> None:
    """Store a pair an admin pasted; the only writer of tokens besides a refresh.

    Takes over any refresh lease, so a refresh still in flight for the old
    pair cannot write over the new one (its guarded save finds the lease
    gone). The state returns to "new" (or stays "ok") until the next call to
    AAC shows whether the pair works.
    """
    access_token = check_pasted_token(access_token, label="Access token")
    refresh_token = check_pasted_token(refresh_token, label="Refresh token")
    check_token_fits(access_token, region=workspace.region, aac_gid=workspace.aac_gid)
    now = timezone.now()
    claims = parse_access_token(access_token)
    values = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "access_token_expires_at": claims.exp if claims else None,
        "refresh_token_issued_at": now,
        "refresh_lease_id": None,
        "refresh_lease_expires_at": None,
        "state": Case(
            When(state=State.OK, then=Value(State.OK)), default=Value(State.NEW)
        ),
        "state_reason": "",
        "state_changed_at": Case(
            When(state=State.OK, then=F("state_changed_at")), default=Value(now)
        ),
    }
    if not workspace.client_id and claims and claims.client_id:
        values["client_id"] = workspace.client_id = claims.client_id
    Workspace.objects.filter(pk=workspace.pk).update(**values)
    _sync_state(
        workspace, Workspace.objects.only(*Workspace.STATE_FIELDS).get(pk=workspace.pk)
    )
    logger.info(
        "Stored a pasted token pair for workspace %s (%s access token)",
        workspace.pk,
        "JWT" if claims else "opaque",
    )


def _refresh(workspace: Workspace, *, stale_token: str) -> str:
    """Replace `stale_token` under the lease, or take whoever replaced it first."""
    deadline = time.monotonic() + _wait_budget()
    while (lease := _claim(workspace.pk)) is None:
        if time.monotonic() > deadline:
            raise TokenProblem(
                "Another token refresh for this workspace is still running; "
                "try again in a minute.",
                kind=TokenProblem.BUSY,
            )
        time.sleep(POLL_SECONDS)
        row = _load(workspace)
        if _replaced(row, stale_token):
            return row.access_token
    try:
        # Someone may have refreshed between our read and our claim.
        row = _load(workspace)
        if _replaced(row, stale_token):
            return row.access_token
        return _refresh_holding(workspace, row, lease)
    finally:
        _release(workspace.pk, lease)


def _refresh_holding(workspace: Workspace, row: Workspace, lease: uuid.UUID) -> str:
    """The lease is ours: one refresh (plus the retries rule 5 allows), then save."""
    from workspaces.connection import client_for

    region = settings.AAC_REGIONS.get(row.region)
    if region is None:
        raise _fail(workspace, State.ERROR, f"Region {row.region!r} is not configured.")
    claims = parse_access_token(row.access_token) if row.access_token else None
    if claims is not None:
        try:
            check_issuer(claims, region["issuer"])
        except UntrustedIssuer:
            # Rule 6: the token URL comes from settings anyway; a foreign
            # issuer means a wrong region or a crafted token. Send nothing.
            raise _fail(
                workspace,
                State.ERROR,
                f"Refused to refresh: token issued by an unexpected issuer "
                f"({claims.iss}, not {region['issuer']}).",
            ) from None
    if not row.refresh_token:
        raise _fail(
            workspace, State.NEEDS_REAUTH, f"No refresh token stored. {HOW_TO_FIX}"
        )
    client_id = row.client_id or (claims.client_id if claims else None)
    if not client_id:
        raise _fail(
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
        current = _load(workspace)
        if current.refresh_token != row.refresh_token and current.access_token:
            logger.info("Workspace %s: tokens replaced during a refresh", row.pk)
            return current.access_token
        if isinstance(exc, _AnswerLost):
            reason = ANSWER_LOST
        else:
            description = (exc.description or str(exc)).rstrip(".")
            reason = f"AAC refused the refresh token: {description}."
        raise _fail(workspace, State.NEEDS_REAUTH, f"{reason} {HOW_TO_FIX}") from None
    except RateLimited as exc:
        raise TokenProblem(
            "AAC's token server is rate limiting; the refresh will be retried.",
            kind=TokenProblem.RATE_LIMITED,
            retry_after=exc.retry_after,
        ) from None
    except Unavailable as exc:
        raise _fail(
            workspace,
            State.ERROR,
            f"AAC's token server is unreachable; tokens unchanged ({exc}).",
            kind=TokenProblem.UNAVAILABLE,
        ) from None
    except AACError as exc:
        raise _fail(
            workspace,
            State.ERROR,
            f"Token refresh failed; tokens unchanged: {exc}",
            kind=TokenProblem.FAILED,
        ) from None
    return _persist(workspace, lease, grant, sent_at=sent_at, spent=row.refresh_token)


class _AnswerLost(Exception):
    """An ambiguous refresh whose one guarded retry did not succeed."""


def _exchange(client, refresh_token: str, client_id: str):
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
    workspace: Workspace, lease: uuid.UUID, grant, *, sent_at: datetime, spent: str
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
        row = _load(workspace)
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


def _claim(workspace_id: int) -> uuid.UUID | None:
    """Take the refresh lease if it is free or expired; None when someone holds it."""
    lease, now = uuid.uuid4(), timezone.now()
    won = (
        Workspace.objects.filter(pk=workspace_id)
        .filter(Q(refresh_lease_id__isnull=True) | Q(refresh_lease_expires_at__lt=now))
        .update(
            refresh_lease_id=lease,
            refresh_lease_expires_at=now
            + timedelta(seconds=settings.AAC_REFRESH_LEASE_SECONDS),
        )
    )
    return lease if won else None


def _release(workspace_id: int, lease: uuid.UUID) -> None:
    Workspace.objects.filter(pk=workspace_id, refresh_lease_id=lease).update(
        refresh_lease_id=None, refresh_lease_expires_at=None
    )


def _wait_budget() -> float:
    """How long a loser waits: the winner's longest refresh."""
    return MAX_REFRESH_POSTS * (
        settings.AAC_CONNECT_TIMEOUT + settings.AAC_READ_TIMEOUT
    )


def _load(workspace: Workspace) -> Workspace:
    """Re-read the tokens and state; copy the state onto the caller's instance.

    Raises TokenProblem for a workspace that needs re-authorisation and for
    tokens that do not decrypt (a configuration fault, never re-authorisation).
    """
    try:
        # defer(None): the manager defers the secrets, and only() would not
        # undo that.
        row = (
            Workspace.objects.defer(None)
            .only(
                "region",
                "client_id",
                "access_token",
                "refresh_token",
                "access_token_expires_at",
                *Workspace.STATE_FIELDS,
            )
            .get(pk=workspace.pk)
        )
    except (DecryptionError, EncryptionKeyError) as exc:
        reason = f"Configuration fault: {exc}. Tokens left untouched."
        Workspace.objects.filter(pk=workspace.pk).exclude(state_reason=reason).update(
            state=State.ERROR, state_reason=reason, state_changed_at=timezone.now()
        )
        workspace.state, workspace.state_reason = State.ERROR, reason
        raise TokenProblem(reason, kind=TokenProblem.CONFIGURATION) from None
    _sync_state(workspace, row)
    if row.state == State.NEEDS_REAUTH:
        raise TokenProblem(row.state_reason, kind=TokenProblem.NEEDS_REAUTH)
    return row


def _sync_state(workspace: Workspace, row: Workspace) -> None:
    for name in Workspace.STATE_FIELDS:
        setattr(workspace, name, getattr(row, name))


def _valid_for(row: Workspace, seconds: float) -> bool:
    """Unknown expiry counts as expired: an opaque token is refreshed on first use."""
    expires_at = row.access_token_expires_at
    return bool(
        row.access_token
        and expires_at is not None
        and expires_at - timezone.now() > timedelta(seconds=seconds)
    )


def _replaced(row: Workspace, stale_token: str) -> bool:
    """Someone else has already put a different, unexpired token in the row."""
    return row.access_token != stale_token and _valid_for(row, 0)


def _fail(
    workspace: Workspace, state: str, reason: str, *, kind: str | None = None
) -> TokenProblem:
    """Record the outcome on the workspace (the winner only) and return the error."""
    workspace.set_state(state, reason)
    logger.warning("Workspace %s: %s", workspace.pk, reason)
    if kind is None:
        kind = (
            TokenProblem.NEEDS_REAUTH
            if state == State.NEEDS_REAUTH
            else TokenProblem.CONFIGURATION
        )
    return TokenProblem(reason, kind=kind)
