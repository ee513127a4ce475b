"""A token pair an admin pasted: checked, then stored over whatever was there."""

import logging
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Value, When
from django.utils import timezone

from aac import parse_access_token
from aac.errors import UntrustedIssuer
from aac.jwt import check_issuer
from workspaces.models import Workspace
from workspaces.tokens.rows import copy_state

logger = logging.getLogger(__name__)

State = Workspace.State

_TOKEN_CHARACTERS = frozenset(string.printable) - frozenset(string.whitespace)


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
    server (docs/reliability.md rule 6); a foreign workspace would fill this
    workspace with another's schedules. Opaque tokens carry no claims and pass.
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
    copy_state(
        workspace, Workspace.objects.only(*Workspace.STATE_FIELDS).get(pk=workspace.pk)
    )
    logger.info(
        "Stored a pasted token pair for workspace %s (%s access token)",
        workspace.pk,
        "JWT" if claims else "opaque",
    )
