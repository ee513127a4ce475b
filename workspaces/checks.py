"""System checks for secrets and time budgets, with stable ids.

workspaces.E001  no FIELD_ENCRYPTION_KEYS outside DEBUG
workspaces.E002  a malformed key in FIELD_ENCRYPTION_KEYS
workspaces.E003  stored tokens that do not decrypt with the configured keys
workspaces.E004  HTTP time x attempts (GETs or refresh POSTs) not below the soft limit
workspaces.E005  CELERY_TASK_SOFT_TIME_LIMIT not below CELERY_TASK_TIME_LIMIT
workspaces.E006  CELERY_TASK_TIME_LIMIT not below AAC_REFRESH_LEASE_SECONDS
"""

import logging

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError
from django.db.models import TextField
from django.db.models.functions import Cast

from workspaces import crypto
from workspaces.models import Connection
from workspaces.tokens.refresh import MAX_REFRESH_POSTS

logger = logging.getLogger(__name__)


@register(Tags.security)
def check_encryption_keys(app_configs=None, **kwargs):
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        if settings.DEBUG:
            return []
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: stored AAC tokens cannot be "
                "encrypted.",
                hint='Generate a key with python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())" and set '
                "FIELD_ENCRYPTION_KEYS.",
                id="workspaces.E001",
            )
        ]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"Key {position} of FIELD_ENCRYPTION_KEYS is malformed.",
                    hint="Each key is a url-safe base64 encoded 32-byte Fernet key.",
                    id="workspaces.E002",
                )
            )
    return errors


@register(Tags.security)
def check_stored_tokens_decrypt(app_configs=None, **kwargs):
    """Every stored token decrypts with the configured keys (a wrong key fails).

    Skipped quietly while the keys are unusable (E001/E002 say why) and while
    the database or the table does not exist yet (before `migrate`).
    """
    try:
        crypto.reset()
        rows = list(
            Connection.objects.values_list(
                "pk",
                Cast("access_token", TextField()),
                Cast("refresh_token", TextField()),
            )
        )
    except crypto.EncryptionKeyError:
        return []
    except DatabaseError as exc:
        logger.debug("Stored tokens not checked: %s", exc)
        return []
    unreadable = [pk for pk, *secrets in rows if not _all_decrypt(secrets)]
    if not unreadable:
        return []
    return [
        Error(
            f"{len(unreadable)} connection(s) hold tokens that do not decrypt with "
            f"FIELD_ENCRYPTION_KEYS (ids {', '.join(map(str, unreadable[:20]))}).",
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
