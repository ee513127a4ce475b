import pytest
from cryptography.fernet import Fernet


@pytest.fixture
def use_keys(settings):
    """Configure FIELD_ENCRYPTION_KEYS for this test; crypto follows the setting."""

    def use(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(keys)

    return use


@pytest.fixture
def new_key():
    return lambda: Fernet.generate_key().decode()
