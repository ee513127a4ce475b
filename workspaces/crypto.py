"""Encryption of secrets at rest with cryptography's MultiFernet.

Keys come from settings.FIELD_ENCRYPTION_KEYS only (docs/reliability.md rule
1): the first encrypts, all decrypt, so keys rotate by prepending a new one
(see the `rotate_encryption_keys` command). The MultiFernet is built on first
use and cached; `reset()` drops the cache, as does a change of the setting
(tests).
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class EncryptionKeyError(Exception):
    """The configured keys are missing or malformed: a configuration fault."""


class DecryptionError(Exception):
    """A stored value does not decrypt with any configured key.

    A configuration fault (a key was removed too early or the wrong one is
    set), never a reason to mark a workspace as needing re-authorisation.
    """


@cache
def _fernet() -> MultiFernet:
    keys = [key for key in settings.FIELD_ENCRYPTION_KEYS if key]
    if not keys:
        raise EncryptionKeyError("FIELD_ENCRYPTION_KEYS is not set")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise EncryptionKeyError(
            "FIELD_ENCRYPTION_KEYS holds a malformed key (each must be a "
            "url-safe base64 32-byte Fernet key)"
        ) from exc


def reset() -> None:
    """Forget the cached keys; the next call reads settings again."""
    _fernet.cache_clear()


@receiver(setting_changed)
def _keys_changed(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        reset()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret does not decrypt with any key in "
            "FIELD_ENCRYPTION_KEYS: a key was removed or replaced too early"
        ) from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first key; raises DecryptionError like decrypt."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret does not decrypt with any key in FIELD_ENCRYPTION_KEYS"
        ) from None
