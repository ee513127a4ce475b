"""The configured encryption keys, checked without touching the database.

The one statement of what is wrong with FIELD_ENCRYPTION_KEYS: `manage.py
check` reports it (as workspaces.E001 and E002) and every entry point refuses
to start on it (`aacportal.startup`, docs/reliability.md rule 13). Needs no
app registry, so the entry points can ask before Django is set up.
"""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error


def check_encryption_keys(app_configs=None, **kwargs) -> list[Error]:
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
