import pytest
import responses

from aac import AACClient, Endpoints
from tests.aac.tokens import ACCESS_TOKEN

API = "https://aac.test"
GATEWAY = "https://api.aac.test"
TOKEN_URL = "https://auth.aac.test/as/token"


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps():
    """The delays the client asked to sleep, instead of sleeping."""
    return []


@pytest.fixture
def client(sleeps):
    endpoints = Endpoints(
        api_url=API,
        gateway_url=GATEWAY,
        issuer="https://auth.aac.test/as",
        token_url=TOKEN_URL,
    )
    return AACClient(
        endpoints,
        ACCESS_TOKEN,
        connect_timeout=2.0,
        read_timeout=7.0,
        sleep=sleeps.append,
    )
