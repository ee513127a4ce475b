"""System checks for secrets and time budgets, with stable ids.

workspaces.E001  no FIELD_ENCRYPTION_KEYS outside DEBUG
workspaces.E002  a malformed key in FIELD_ENCRYPTION_KEYS
workspaces.E003  stored tokens that do not decrypt with the configured keys
workspaces.E004  HTTP time x attempts (GETs or refresh POSTs) not below the soft limit
workspaces.E005  CELERY_TASK_SOFT_TIME_LIMIT not below CELERY_TASK_TIME_LIMIT
workspaces.E006  CELERY_TASK_TIME_LIMIT not below AAC_REFRESH_LEASE_SECONDS
"""

import logging

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError
from django.db.models import TextField
from django.db.models.functions import Cast

from workspaces import crypto
from workspaces.keys import check_encryption_keys
from workspaces.models import Connection
from workspaces.tokens.refresh import MAX_REFRESH_POSTS

logger = logging.getLogger(__name__)


# Also asked by every entry point before it starts (aacportal.startup).
register(check_encryption_keys, Tags.security)


@register(Tags.security)
def check_stored_tokens_decrypt(app_configs=None, **kwargs):
    """Every stored token decrypts with the configured keys (a wrong key fails).

    With no usable key at all (in DEBUG E001 says nothing) the workspaces that
    hold tokens are reported as unreadable, with the reason. Skipped quietly
    while the database or the table does not exist yet (before `migrate`).
    """
    crypto.reset()
    try:
        rows = list(
            Connection.objects.values_list(
                "pk",
                Cast("access_token", TextField()),
                Cast("refresh_token", TextField()),
            )
        )
    except DatabaseError as exc:
        logger.debug("Stored tokens not checked: %s", exc)
        return []
    try:
        unreadable = [pk for pk, *secrets in rows if not _all_decrypt(secrets)]
    except crypto.EncryptionKeyError as exc:
        reason = f"{exc}."
        unreadable = [pk for pk, *secrets in rows if any(secrets)]
    else:
        reason = "they do not decrypt with FIELD_ENCRYPTION_KEYS."
    if not unreadable:
        return []
    return [
        Error(
            f"{len(unreadable)} connection(s) hold tokens that cannot be read "
            f"(ids {', '.join(map(str, unreadable[:20]))}): {reason}",
            hint="Configure the key that encrypted them. When rotating, keep the "
            "old key after the new one until rotate_encryption_keys reports "
            "nothing skipped.",
            id="workspaces.E003",
        )
    ]


def _all_decrypt(secrets) -> bool:
    try:
        for secret in secrets:
            if secret:
                crypto.decrypt(secret)
    except crypto.DecryptionError:
        return False
    return True


@register()
def check_time_budgets(app_configs=None, **kwargs):
    """Rule 4: HTTP time x attempts < soft limit < hard limit < refresh lease.

    A lease that outlived its task would let a second refresh spend a token
    the first one is still waiting on.
    """
    attempts = max(settings.AAC_GET_ATTEMPTS, MAX_REFRESH_POSTS)
    http = (settings.AAC_CONNECT_TIMEOUT + settings.AAC_READ_TIMEOUT) * attempts
    soft = settings.CELERY_TASK_SOFT_TIME_LIMIT
    hard = settings.CELERY_TASK_TIME_LIMIT
    lease = settings.AAC_REFRESH_LEASE_SECONDS
    budgets = [
        (
            http < soft,
            f"(AAC_CONNECT_TIMEOUT + AAC_READ_TIMEOUT) x {attempts} attempts = "
            f"{http:g} s is not below CELERY_TASK_SOFT_TIME_LIMIT = {soft} s.",
            "workspaces.E004",
        ),
        (
            soft < hard,
            f"CELERY_TASK_SOFT_TIME_LIMIT = {soft} s is not below "
            f"CELERY_TASK_TIME_LIMIT = {hard} s.",
            "workspaces.E005",
        ),
        (
            hard < lease,
            f"CELERY_TASK_TIME_LIMIT = {hard} s is not below "
            f"AAC_REFRESH_LEASE_SECONDS = {lease} s.",
            "workspaces.E006",
        ),
    ]
    return [
        Error(
            message,
            hint="Keep the budgets in this order (docs/reliability.md rule 4).",
            id=id_,
        )
        for ok, message, id_ in budgets
        if not ok
    ]
