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


@pytest.fixture
def sim_stats(aac_sim):
    """Counters of the simulator for one of its workspaces."""

    class Counts:
        def refreshes(self, remote) -> int:
            return aac_sim.sim.stats.refreshes[remote.id]

        def requests(self, remote, endpoint: str) -> int:
            return aac_sim.sim.stats.requests[(remote.id, endpoint)]

        def total(self) -> int:
            return sum(aac_sim.sim.stats.requests.values())

    return Counts()
