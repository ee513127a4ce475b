"""`manage.py rotate_encryption_keys` (docs/reliability.md rule 2)."""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import make_workspace
from tests.workspaces.stored import raw_tokens, tokens
from workspaces import crypto
from workspaces.connection import call_aac
from workspaces.models import Connection
from workspaces.tokens.lease import force_refresh

pytestmark = pytest.mark.django_db


def rotate() -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue()


def test_the_key_rotation_round_trip(make_sim_connection, use_keys, new_key):
    key1, key2 = new_key(), new_key()
    use_keys(key1)
    connections = [make_sim_connection(f"Rotated {i}")[1] for i in range(2)]
    make_workspace("Without tokens")
    plain = {c.pk: tokens(c.pk) for c in connections}
    raw_before = {c.pk: raw_tokens(c.pk) for c in connections}

    use_keys(key2, key1)
    output = rotate()
    use_keys(key2)

    assert "Rotated 2 connection(s)." in output
    assert "Nothing skipped" in output
    for connection in connections:
        assert tokens(connection.pk) == plain[connection.pk]
        assert raw_tokens(connection.pk) != raw_before[connection.pk]
        assert call_aac(connection, lambda client: client.current_workspace())


def test_a_refresh_committing_during_the_rotation_is_skipped_then_rotated(
    make_sim_connection, sim_stats, use_keys, new_key, monkeypatch
):
    key1, key2 = new_key(), new_key()
    use_keys(key1)
    remote, busy = make_sim_connection("Refreshed mid-rotation")
    _, quiet = make_sim_connection("Quiet")
    use_keys(key2, key1)
    real_rotate = crypto.rotate
    refreshed = []

    def rotate_while_a_refresh_commits(ciphertext):
        if not refreshed:
            refreshed.append(force_refresh(Connection.objects.get(pk=busy.pk)))
        return real_rotate(ciphertext)

    monkeypatch.setattr(crypto, "rotate", rotate_while_a_refresh_commits)

    with pytest.raises(CommandError, match=rf"Skipped 1 .*ids {busy.pk}\).*rerun"):
        rotate()
    assert sim_stats.refreshes(remote) == 1
    assert tokens(busy.pk)[0] == refreshed[0]

    assert "Nothing skipped" in rotate()
    use_keys(key2)
    assert tokens(busy.pk)[0] == refreshed[0]
    assert call_aac(busy, lambda client: client.current_workspace())
    assert call_aac(quiet, lambda client: client.current_workspace())


def test_a_row_held_by_a_refresh_lease_is_skipped(
    make_sim_connection, use_keys, new_key
):
    key1, key2 = new_key(), new_key()
    use_keys(key1)
    _, connection = make_sim_connection("Leased")
    held = Connection.objects.filter(pk=connection.pk)
    held.update(
        refresh_lease_id=uuid.uuid4(),
        refresh_lease_expires_at=timezone.now() + timedelta(minutes=5),
    )
    raw_before = raw_tokens(connection.pk)
    use_keys(key2, key1)

    with pytest.raises(CommandError, match="rerun"):
        rotate()
    assert raw_tokens(connection.pk) == raw_before

    held.update(refresh_lease_id=None, refresh_lease_expires_at=None)
    assert "Rotated 1 connection(s)." in rotate()


def test_it_names_rows_no_key_decrypts_and_leaves_them(
    make_sim_connection, use_keys, new_key
):
    use_keys(new_key())
    _, connection = make_sim_connection("Orphaned")
    raw_before = raw_tokens(connection.pk)
    use_keys(new_key())

    with pytest.raises(
        CommandError, match=rf"no configured key decrypts \(ids {connection.pk}\)"
    ):
        rotate()
    assert raw_tokens(connection.pk) == raw_before
