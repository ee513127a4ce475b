"""Re-encrypt every stored token under the first key of FIELD_ENCRYPTION_KEYS.

Rotation (docs/reliability.md rule 2): prepend a new key (`new,old`), run this until it
reports nothing skipped, then drop the old key. Each row is rewritten by one
conditional UPDATE that only applies if its ciphertext is still the one read
and no refresh holds its lease, so a refresh committing meanwhile is never
overwritten with the older pair; such rows are skipped and the next run
rotates them.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from django.utils import timezone

from workspaces import crypto
from workspaces.models import Connection

SECRETS = Connection.SECRET_FIELDS


def _raw(name: str) -> Cast:
    # The ciphertext as stored: the encrypted field refuses lookups and would
    # decrypt on load.
    return Cast(name, TextField())


class Command(BaseCommand):
    help = "Re-encrypt stored tokens under the first FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        crypto.reset()
        rows = Connection.objects.order_by("pk").values_list(
            "pk", *(_raw(name) for name in SECRETS)
        )
        rotated, skipped, unreadable = 0, [], []
        for pk, *ciphertexts in rows:
            if not any(ciphertexts):
                continue
            try:
                fresh = [crypto.rotate(c) if c else c for c in ciphertexts]
            except crypto.DecryptionError:
                unreadable.append(pk)
                continue
            if self._rewrite(pk, ciphertexts, fresh):
                rotated += 1
            else:
                skipped.append(pk)
        self.stdout.write(f"Rotated {rotated} connection(s).")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} connection(s) hold tokens no configured key "
                f"decrypts (ids {_ids(unreadable)}); configure the key that "
                "encrypted them."
            )
        if skipped:
            raise CommandError(
                f"Skipped {len(skipped)} connection(s) changed or held by a token "
                f"refresh during the rotation (ids {_ids(skipped)}); rerun."
            )
        self.stdout.write("Nothing skipped: the old keys may be removed.")

    def _rewrite(self, pk: int, old: list[str], new: list[str]) -> bool:
        unchanged = [
            Exact(_raw(name), Value(value))
            for name, value in zip(SECRETS, old, strict=True)
        ]
        free = Q(refresh_lease_id__isnull=True) | Q(
            refresh_lease_expires_at__lt=timezone.now()
        )
        # Value(..., TextField()) writes the new ciphertext as is, bypassing
        # the field's encryption.
        values = {
            name: Value(value, output_field=TextField())
            for name, value in zip(SECRETS, new, strict=True)
        }
        return bool(Connection.objects.filter(free, *unchanged, pk=pk).update(**values))


def _ids(pks: list[int]) -> str:
    return ", ".join(map(str, pks[:20])) + (", ..." if len(pks) > 20 else "")
