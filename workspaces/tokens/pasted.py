"""A token pair someone pasted: checked, then stored over whatever was there; and
tokens wiped when they can no longer be trusted."""

import logging
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from aac import AccessTokenClaims, parse_access_token
from aac.errors import UntrustedIssuer
from aac.jwt import check_issuer
from workspaces.models import Connection, Workspace
from workspaces.tokens.refresh import digest
from workspaces.tokens.rows import copy_state

logger = logging.getLogger(__name__)

State = Connection.State

_TOKEN_CHARACTERS = frozenset(string.printable) - frozenset(string.whitespace)


@sensitive_variables()
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


@sensitive_variables()
def check_pair(
    *,
    access_token: str,
    refresh_token: str,
    region: str,
    workspace: Workspace | None = None,
    connection: Connection | None = None,
) -> None:
    """Refuse a pair that cannot be this connection's, naming the field at fault.

    A JWT minted for another region (its refresh token would go to the wrong
    token server, docs/reliability.md rule 6) or for another AAC workspace
    (it would fill this one with another's schedules); an AAC workspace the
    portal already has under another name (its schedules would count twice);
    a refresh token already stored in another connection (the first refresh
    of either would break the other); a person who already has a connection
    to this workspace; the access token pasted twice. Opaque access tokens
    carry no claims and pass the checks that need them. Raises a
    ValidationError whose dict maps "access_token" or "refresh_token" to the
    message.
    """
    if access_token == refresh_token:
        raise _refuse(
            "refresh_token",
            "Refresh token: this is the access token again; paste the refresh "
            "token of the pair.",
        )
    claims = parse_access_token(access_token)
    if claims is not None:
        _check_claims(claims, region=region, workspace=workspace, connection=connection)
    elsewhere = (
        Connection.objects.filter(refresh_token_digest=digest(refresh_token))
        .exclude(pk=connection.pk if connection else None)
        .select_related("workspace")
        .first()
    )
    if elsewhere is not None:
        raise _refuse(
            "refresh_token",
            f"Refresh token: it is already stored for {elsewhere}. A refresh "
            "token works in one place only (each refresh replaces it); generate "
            "a new pair for this connection.",
        )


def _check_claims(
    claims: AccessTokenClaims,
    *,
    region: str,
    workspace: Workspace | None,
    connection: Connection | None,
) -> None:
    if region in settings.AAC_REGIONS:
        try:
            check_issuer(claims, settings.AAC_REGIONS[region]["issuer"])
        except UntrustedIssuer as exc:
            raise _refuse(
                "access_token",
                f"Access token: {exc.message}. Choose the workspace's region.",
            ) from None
    gid = claims.workspace_gid
    if workspace is not None and workspace.aac_gid and gid and gid != workspace.aac_gid:
        raise _refuse(
            "access_token",
            f"Access token: it belongs to AAC workspace {gid}, not to this one "
            f"({workspace.aac_gid}).",
        )
    if gid:
        other = Workspace.objects.filter(aac_gid=gid)
        if workspace is not None:
            other = other.exclude(pk=workspace.pk)
        if (first := other.first()) is not None:
            raise _refuse(
                "access_token",
                f"Access token: it belongs to AAC workspace {gid}, which the portal "
                f"already has as “{first}”; add the pair there.",
            )
    if workspace is not None and workspace.pk and claims.subject:
        same_person = workspace.connections.filter(aac_person_id=claims.subject)
        if connection is not None:
            same_person = same_person.exclude(pk=connection.pk)
        if (first := same_person.first()) is not None:
            raise _refuse(
                "access_token",
                f"Access token: {first.person} already has a connection to this "
                "workspace; paste the new pair into that connection instead.",
            )


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=field)})


@sensitive_variables()
def store_pasted_tokens(
    connection: Connection, *, access_token: str, refresh_token: str
) -> None:
    """Store a pasted pair; the only writer of tokens besides a refresh.

    Takes over any refresh lease, so a refresh still in flight for the old
    pair cannot write over the new one (its guarded save finds the lease
    gone). The state returns to "new" (or stays "ok") until the next call to
    AAC shows whether the pair works. A JWT's workspace gid becomes the
    workspace's when it has none yet. Raises ValidationError for a pair
    `check_pair` refuses.
    """
    access_token = check_pasted_token(access_token, label="Access token")
    refresh_token = check_pasted_token(refresh_token, label="Refresh token")
    workspace = connection.workspace
    check_pair(
        access_token=access_token,
        refresh_token=refresh_token,
        region=workspace.region,
        workspace=workspace,
        connection=connection,
    )
    now = timezone.now()
    claims = parse_access_token(access_token)
    values = {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "refresh_token_digest": digest(refresh_token),
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
    if claims and claims.subject:
        values["aac_person_id"] = connection.aac_person_id = claims.subject
    if not connection.client_id and claims and claims.client_id:
        values["client_id"] = connection.client_id = claims.client_id
    try:
        with transaction.atomic():
            Connection.objects.filter(pk=connection.pk).update(**values)
            if claims and claims.workspace_gid and not workspace.aac_gid:
                Workspace.objects.filter(pk=workspace.pk, aac_gid="").update(
                    aac_gid=claims.workspace_gid
                )
                workspace.aac_gid = claims.workspace_gid
    except IntegrityError:
        # A paste of the same refresh token, or of the same AAC workspace,
        # committed between the checks and this write.
        raise ValidationError(
            "This pair is already stored elsewhere in the portal; generate a new "
            "pair for this connection."
        ) from None
    copy_state(
        connection,
        Connection.objects.only(*Connection.STATE_FIELDS).get(pk=connection.pk),
    )
    logger.info(
        "Stored a pasted token pair for connection %s (%s access token)",
        connection.pk,
        "JWT" if claims else "opaque",
    )


def wipe_tokens(connections: QuerySet[Connection], *, reason: str) -> int:
    """Forget the connections' tokens; they need a new pair, for `reason`.

    For pairs that can no longer be trusted (the workspace's region changed:
    they were issued for the old region's hosts).
    """
    return connections.update(
        access_token="",
        refresh_token="",
        refresh_token_digest="",
        access_token_expires_at=None,
        refresh_lease_id=None,
        refresh_lease_expires_at=None,
        state=State.NEEDS_REAUTH,
        state_reason=reason,
        state_changed_at=timezone.now(),
    )
