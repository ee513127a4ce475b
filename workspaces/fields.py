"""A text field stored encrypted; lookups on it are refused.

Empty strings are stored as empty strings (nothing to hide, and "no token yet"
stays cheap to tell). A value that does not decrypt raises
`crypto.DecryptionError` on load: ciphertext is never handed back as if it
were the secret.
"""

from django.db import models

from workspaces import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with MultiFernet"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_lookup(self, lookup_name):
        raise NotImplementedError(
            f"{self.model.__name__}.{self.name} is encrypted; it cannot be "
            f"filtered with '{lookup_name}'"
        )

    def get_transform(self, lookup_name):
        raise NotImplementedError(
            f"{self.model.__name__}.{self.name} is encrypted; it cannot be "
            f"transformed with '{lookup_name}'"
        )
