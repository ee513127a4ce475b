"""Each workspace's token pair moves into its first connection, with no token lost.

The ciphertext is copied as it is: nothing is decrypted to move it, so the
migration works whatever keys are configured (or none). Where the configured
keys do decrypt the pair, the refresh token's digest and the access token's
person are filled in too; otherwise they stay blank until the next paste or
refresh. A refresh token stored in two workspaces (it breaks one of them at
the first refresh) keeps its digest in the first only, and the second
connection says why it needs a new pair. Backwards, each workspace takes
back its first connection's pair (further connections are lost).
"""

import hashlib

from django.db import migrations
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from aac import parse_access_token
from workspaces import crypto

# Columns a connection takes from its workspace as they are.
COPIED = (
    "client_id",
    "access_token_expires_at",
    "refresh_token_issued_at",
    "refresh_token_lifetime_days",
    "state",
    "state_reason",
    "state_changed_at",
)
SECRETS = ("access_token", "refresh_token")
TWICE = (
    "The same refresh token is stored for workspace “{}” too: the first refresh "
    "of either breaks the other. Generate a new token pair in AAC (User "
    "Preferences → OAuth 2.0 API Tokens) and paste it here."
)


def _raw(name):
    # The ciphertext as stored: the encrypted field would decrypt on load.
    return Cast(name, TextField())


def _verbatim(values: dict) -> dict:
    # Value(..., TextField()) writes a ciphertext as is, past the field's encryption.
    return {
        name: Value(value, output_field=TextField()) for name, value in values.items()
    }


def _learned(ciphertexts: dict) -> dict:
    """The refresh token's digest and the access token's person, if the keys decrypt."""
    try:
        access, refresh = (
            crypto.decrypt(ciphertexts[name]) if ciphertexts[name] else ""
            for name in SECRETS
        )
    except (crypto.DecryptionError, crypto.EncryptionKeyError):
        return {}
    claims = parse_access_token(access) if access else None
    learned = {"refresh_token_digest": hashlib.sha256(refresh.encode()).hexdigest()}
    if claims is not None and claims.subject:
        learned["aac_person_id"] = claims.subject
    return learned if refresh else {}


def move_tokens(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Connection = apps.get_model("workspaces", "Connection")
    db = schema_editor.connection.alias
    rows = (
        Workspace.objects.using(db)
        .order_by("pk")
        .values(
            "pk", "name", *COPIED, **{f"{name}_raw": _raw(name) for name in SECRETS}
        )
    )
    digests = {}
    for row in rows:
        ciphertexts = {name: row[f"{name}_raw"] or "" for name in SECRETS}
        if not any(ciphertexts.values()):
            continue
        fields = {name: row[name] for name in COPIED} | _learned(ciphertexts)
        digest = fields.get("refresh_token_digest")
        if digest in digests:
            fields.update(
                refresh_token_digest="",
                state="error",
                state_reason=TWICE.format(digests[digest]),
            )
        elif digest:
            digests[digest] = row["name"]
        connection = Connection.objects.using(db).create(
            workspace_id=row["pk"], slot=0, **fields
        )
        Connection.objects.using(db).filter(pk=connection.pk).update(
            **_verbatim(ciphertexts)
        )


def move_tokens_back(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Connection = apps.get_model("workspaces", "Connection")
    db = schema_editor.connection.alias
    firsts = (
        Connection.objects.using(db)
        .order_by("workspace_id", "slot")
        .values(
            "workspace_id", *COPIED, **{f"{name}_raw": _raw(name) for name in SECRETS}
        )
    )
    done = set()
    for row in firsts:
        if row["workspace_id"] in done:
            continue
        done.add(row["workspace_id"])
        Workspace.objects.using(db).filter(pk=row["workspace_id"]).update(
            **{name: row[name] for name in COPIED},
            **_verbatim({name: row[f"{name}_raw"] or "" for name in SECRETS}),
        )


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0002_connections")]

    operations = [migrations.RunPython(move_tokens, move_tokens_back)]
