"""A connection's token row, read again whenever a decision depends on it, and
the checks every stored token passes before it is used.

Only this module asks the database for the encrypted columns
(docs/reliability.md rule 12).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from aac import parse_access_token
from aac.errors import UntrustedIssuer
from aac.jwt import check_issuer
from workspaces.crypto import DecryptionError, EncryptionKeyError
from workspaces.models import Connection
from workspaces.tokens.problems import REAUTH_HELP, TokenProblem, fail

State = Connection.State

TOKEN_ROW_FIELDS = (
    "workspace__region",
    "workspace__aac_gid",
    "client_id",
    "aac_person_id",
    "access_token",
    "refresh_token",
    "refresh_token_digest",
    "access_token_expires_at",
    *Connection.STATE_FIELDS,
)


@sensitive_variables()
def load(connection: Connection) -> Connection:
    """Re-read the tokens and state; copy the state onto the caller's instance.

    Raises TokenProblem for a connection that needs re-authorisation, for
    tokens that do not decrypt (a configuration fault, never
    re-authorisation) and for a connection removed meanwhile.
    """
    try:
        # defer(None): the manager defers the secrets, and only() would not
        # undo that.
        row = (
            Connection.objects.defer(None)
            .select_related("workspace")
            .only(*TOKEN_ROW_FIELDS)
            .get(pk=connection.pk)
        )
    except Connection.DoesNotExist:
        raise TokenProblem(
            "This connection was removed.", kind=TokenProblem.GONE
        ) from None
    except (DecryptionError, EncryptionKeyError) as exc:
        reason = f"Configuration fault: {exc}. Tokens left untouched."
        Connection.objects.filter(pk=connection.pk).exclude(state_reason=reason).update(
            state=State.ERROR, state_reason=reason, state_changed_at=timezone.now()
        )
        connection.state, connection.state_reason = State.ERROR, reason
        raise TokenProblem(reason, kind=TokenProblem.CONFIGURATION) from None
    copy_state(connection, row)
    if row.state == State.NEEDS_REAUTH:
        raise TokenProblem(row.state_reason, kind=TokenProblem.NEEDS_REAUTH)
    return row


def readable(connection: Connection) -> bool:
    """Whether the stored tokens decrypt with the configured keys (the admin asks)."""
    try:
        Connection.objects.defer(None).only(*Connection.SECRET_FIELDS).get(
            pk=connection.pk
        )
    except (DecryptionError, EncryptionKeyError):
        return False
    return True


@sensitive_variables()
def copy_state(connection: Connection, row: Connection) -> None:
    for name in Connection.STATE_FIELDS:
        setattr(connection, name, getattr(row, name))


@sensitive_variables()
def region_of(connection: Connection, row: Connection) -> dict:
    """The region's settings, or a recorded configuration fault: nothing is sent
    for a region that settings no longer hold."""
    region = settings.AAC_REGIONS.get(row.workspace.region)
    if region is None:
        raise fail(
            connection,
            State.ERROR,
            f"Region {row.workspace.region!r} is not configured (AAC_REGIONS); "
            "nothing was sent. Configure it again, or give the workspace its "
            "region and paste a new pair.",
        )
    return region


@sensitive_variables()
def check_issuer_of(connection: Connection, row: Connection, region: dict) -> None:
    """Refuse a stored access token minted by another region's token server.

    Checked before every use of a stored token, not only when it is pasted:
    the token is sent as a Bearer to the region's API, so a region changed
    under it would hand it to another host (docs/reliability.md rules 6, 15).
    """
    claims = parse_access_token(row.access_token) if row.access_token else None
    if claims is None:
        return
    try:
        check_issuer(claims, region["issuer"])
    except UntrustedIssuer:
        raise fail(
            connection,
            State.NEEDS_REAUTH,
            f"Refused to use the stored tokens: they were issued by an unexpected "
            f"issuer ({claims.iss}, not {region['issuer']}), so the workspace's "
            f"region changed or the token was crafted. Nothing was sent. "
            f"{REAUTH_HELP}",
        ) from None


@sensitive_variables()
def valid_for(row: Connection, seconds: float) -> bool:
    """Unknown expiry counts as expired: an opaque token is refreshed on first use."""
    expires_at = row.access_token_expires_at
    return bool(
        row.access_token
        and expires_at is not None
        and expires_at - timezone.now() > timedelta(seconds=seconds)
    )


@sensitive_variables()
def replaced(row: Connection, stale_token: str) -> bool:
    """Someone else has already put a different, unexpired token in the row."""
    return row.access_token != stale_token and valid_for(row, 0)
