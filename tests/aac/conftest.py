import logging
import traceback

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


@pytest.fixture
def raw_log_lines():
    """Every DEBUG line of the client and of urllib3, as emitted.

    Captured on their own loggers, before the root handler's redacting filter
    (aacportal.logredact) rewrites records in place: the client must be clean
    without that last line of defence.
    """
    lines: list[tuple[str, str]] = []

    class Keep(logging.Handler):
        def emit(self, record):
            text = record.getMessage()
            if record.exc_info:
                text += "".join(traceback.format_exception(*record.exc_info))
            lines.append((record.name, text))

    handler = Keep(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("aac", "urllib3")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
