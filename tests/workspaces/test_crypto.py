import pytest

from tests.aac.tokens import make_jwt
from tests.factories import make_workspace
from tests.workspaces.stored import raw_tokens, tokens
from workspaces import crypto
from workspaces.models import Workspace
from workspaces.tokens.pasted import store_pasted_tokens

EU_ISSUER = "https://pingauth-eu1.alteryxcloud.com/as"
ACCESS = make_jwt({"iss": EU_ISSUER, "client_id": "c-1", "exp": 4102444800})
REFRESH = "rt-plaintext-refresh-token-0123456789"


def stored_workspace():
    workspace = make_workspace("Crypto", region="eu1")
    store_pasted_tokens(workspace, access_token=ACCESS, refresh_token=REFRESH)
    return workspace


@pytest.mark.django_db
def test_it_stores_ciphertext_and_reads_the_plaintext_back():
    workspace = stored_workspace()

    raw_access, raw_refresh = raw_tokens(workspace.pk)
    assert ACCESS not in raw_access
    assert REFRESH not in raw_refresh
    assert raw_access != raw_refresh
    assert tokens(workspace.pk) == (ACCESS, REFRESH)


@pytest.mark.django_db
def test_it_refuses_lookups_on_encrypted_fields():
    stored_workspace()

    with pytest.raises(NotImplementedError, match="encrypted"):
        Workspace.objects.filter(access_token=ACCESS).exists()
    with pytest.raises(NotImplementedError, match="encrypted"):
        Workspace.objects.filter(refresh_token__startswith="rt-").exists()


@pytest.mark.django_db
def test_it_raises_a_typed_error_rather_than_hand_back_ciphertext(use_keys, new_key):
    workspace = stored_workspace()
    use_keys(new_key())

    with pytest.raises(crypto.DecryptionError) as caught:
        tokens(workspace.pk)
    assert "FIELD_ENCRYPTION_KEYS" in str(caught.value)
    assert raw_tokens(workspace.pk)[0] not in str(caught.value)


@pytest.mark.django_db
def test_it_loads_workspaces_without_their_secrets(use_keys, new_key):
    workspace = stored_workspace()
    use_keys(new_key())

    loaded = Workspace.objects.get(pk=workspace.pk)

    assert loaded.name == "Crypto"
    assert set(Workspace.SECRET_FIELDS) <= loaded.get_deferred_fields()


def test_it_refuses_to_encrypt_without_a_key(use_keys):
    use_keys()

    with pytest.raises(crypto.EncryptionKeyError, match="not set"):
        crypto.encrypt("secret")


def test_it_names_a_malformed_key_without_quoting_it(use_keys):
    use_keys("not-a-fernet-key")

    with pytest.raises(crypto.EncryptionKeyError) as caught:
        crypto.encrypt("secret")
    assert "malformed" in str(caught.value)
    assert "not-a-fernet-key" not in str(caught.value)


def test_it_decrypts_with_any_key_and_encrypts_with_the_first(use_keys, new_key):
    old, new = new_key(), new_key()
    use_keys(old)
    under_old = crypto.encrypt("secret")
    use_keys(new, old)

    rotated = crypto.rotate(under_old)
    use_keys(new)

    assert crypto.decrypt(rotated) == "secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(under_old)


@pytest.mark.django_db
def test_its_repr_shows_no_token():
    workspace = Workspace.objects.get(pk=stored_workspace().pk)
    workspace.access_token  # noqa: B018  load the secret into the instance

    assert ACCESS not in repr(workspace)
    assert REFRESH not in repr(workspace)
    assert ACCESS not in str(workspace)
