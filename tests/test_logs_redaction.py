"""No token in any log line (docs/reliability.md rule 11).

The refresh and failure paths run against the simulator over real HTTP with
every logger at DEBUG; the lines are captured twice: raw through caplog (the
code must never log a token at all) and through a handler carrying the filters
settings.LOGGING installs on the console handler. Then unit tests of the filter,
the last line of defence for a library's debug line.
"""

import io
import logging
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter

from aac import AACClient
from aacportal.logredact import REDACTED, RedactSecrets, redact
from aacsim import Fault
from tests.aac.tokens import make_jwt
from tests.workspaces.stored import expire_soon, raw_tokens, reread, tokens
from workspaces.connection import call_aac
from workspaces.models import Connection, ConnectionTask
from workspaces.tasks import (
    refresh_connection_tokens,
    refresh_expiring_tokens,
    run_connection_task,
)
from workspaces.tokens.lease import force_refresh, fresh_access_token
from workspaces.tokens.problems import TokenProblem

LOGGERS = ("", "aac", "aacsim", "workspaces", "requests", "urllib3", "celery")
JWT = make_jwt({"iss": "https://pingauth.alteryxcloud.com/as", "exp": 4102444800})


def configured_console_handler() -> logging.Handler:
    """The root handler settings.LOGGING configured, found by its filter."""
    redact_class = import_string(settings.LOGGING["filters"]["redact"]["()"])
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
    return next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, redact_class) for f in handler.filters)
    )


@pytest.fixture
def every_line(caplog):
    """All log text of the test: raw (caplog) and as the console would write it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    console = configured_console_handler()
    handler.setFormatter(console.formatter)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    caplog.set_level(logging.DEBUG)
    yield lambda: caplog.text + "\n" + stream.getvalue()
    logging.getLogger().removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def leaked(secrets, text: str) -> list[str]:
    return [secret[:12] + "..." for secret in secrets if secret and secret in text]


@pytest.mark.django_db
def test_no_refresh_or_failure_path_logs_a_token(
    aac_sim, make_sim_connection, every_line, settings
):
    settings.AAC_GET_ATTEMPTS = 2
    sim = aac_sim.sim
    secrets: set[str] = set()
    problems: list[TokenProblem] = []

    def remember(*connections):
        for connection in connections:
            secrets.update(tokens(connection.pk))
            secrets.update(raw_tokens(connection.pk))

    def expect_problem(fn, *args):
        with pytest.raises(TokenProblem) as caught:
            fn(*args)
        problems.append(caught.value)

    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    remote, connection = make_sim_connection("Logged")
    remember(connection)

    # Refresh ahead of expiry, by the beat task and the refresh task; a
    # pressed refresh and test.
    expire_soon(connection.pk)
    refresh_expiring_tokens()
    refresh_connection_tokens(connection.pk)
    remember(connection)
    for action in ("refresh", "test"):
        task = ConnectionTask.objects.create(connection=connection, action=action)
        run_connection_task(task.pk)
    remember(connection)
    # A 401 on the API: forced refresh and retry; then the API failing.
    sim.faults.add(Fault(kind="status", status=401, workspace=remote.id, times=1))
    call_aac(connection, lambda client: client.current_workspace())
    remember(connection)
    sim.faults.add(Fault(kind="status", status=503, workspace=remote.id, times=2))
    with pytest.raises(Exception, match="503"):
        call_aac(connection, lambda client: client.current_workspace())
    # Token server failures: rate limited, broken answer (spent), lost answer.
    sim.faults.add(Fault(kind="rate_limit", endpoint="token", times=1))
    expect_problem(force_refresh, connection)
    sim.faults.add(Fault(kind="malformed_json", endpoint="token", times=1))
    expect_problem(force_refresh, connection)
    remember(connection)
    remote, lost = make_sim_connection("Lost answer")
    remember(lost)
    sim.faults.add(Fault(kind="drop", endpoint="token", times=1))
    expect_problem(force_refresh, lost)
    # A wrong encryption key.
    remote, locked = make_sim_connection("Wrong key")
    remember(locked)
    expire_soon(locked.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    expect_problem(fresh_access_token, locked)
    settings.FIELD_ENCRYPTION_KEYS = [key]
    text = every_line()
    assert "Refreshed the tokens of connection" in text
    assert "answer lost" in text.lower()
    assert "POST /as/token" in text  # the client's and the simulator's debug lines
    assert "urllib3.connectionpool" in text
    assert len(secrets) >= 8
    assert leaked(secrets, text) == []
    assert leaked(secrets, " ".join(f"{p} {p!r}" for p in problems)) == []
    messages = " ".join(ConnectionTask.objects.values_list("message", flat=True))
    assert leaked(secrets, messages) == []
    assert reread(lost).state == Connection.State.NEEDS_REAUTH


@pytest.mark.django_db
def test_no_debug_error_page_shows_a_token(
    rf, settings, make_sim_connection, monkeypatch
):
    """Every function that holds a token hides its locals from Django's error
    pages and reports: one breaking deep inside a refresh leaks nothing."""
    settings.DEBUG = True
    _, connection = make_sim_connection("Debug page")
    secrets = set(tokens(connection.pk))
    expire_soon(connection.pk)

    def broken(client, refresh_token, client_id):
        raise RuntimeError("the token server's library broke")

    monkeypatch.setattr(AACClient, "refresh", broken)
    with pytest.raises(RuntimeError) as caught:
        fresh_access_token(connection)
    # From the token code down (the test's own frame holds `secrets`).
    report = ExceptionReporter(
        rf.get("/"), caught.type, caught.value, caught.value.__traceback__.tb_next
    )

    html, text = report.get_traceback_html(), report.get_traceback_text()
    assert "refresh_holding" in text  # it did break inside the token code
    assert "broken" in text
    assert leaked(secrets, html + text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"token {JWT} here", f"token {REDACTED} here"),
        ("Authorization: Bearer abc.def-123", f"Authorization: Bearer {REDACTED}"),
        (
            "grant_type=refresh_token&refresh_token=rt-123&client_id=c",
            f"grant_type=refresh_token&refresh_token={REDACTED}&client_id=c",
        ),
        (
            '{"access_token": "opaque-1", "x": 1}',
            f'{{"access_token": "{REDACTED}", "x": 1}}',
        ),
        ("{'refresh_token': 'rt-9'}", f"{{'refresh_token': '{REDACTED}'}}"),
        ('"POST /as/token HTTP/1.1" 200 512', '"POST /as/token HTTP/1.1" 200 512'),
        (
            "pasted aacp_Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA into the log",
            f"pasted {REDACTED} into the log",
        ),
    ],
)
def test_redact_replaces_token_looking_values(text, expected):
    assert redact(text) == expected


def test_the_filter_rewrites_arguments_and_tracebacks():
    try:
        raise ValueError(f"bad answer Bearer {JWT}")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "aac", logging.DEBUG, __file__, 1, "sent %s", (f"Bearer {JWT}",), exc_info
    )

    assert RedactSecrets().filter(record) is True

    formatted = logging.Formatter().format(record)
    assert JWT not in formatted
    assert f"sent Bearer {REDACTED}" in formatted
    assert "ValueError: bad answer Bearer" in formatted


def test_the_filter_leaves_ordinary_records_alone():
    record = logging.LogRecord(
        "workspaces", logging.INFO, __file__, 1, "Workspace %s refreshed", (7,), None
    )

    RedactSecrets().filter(record)

    assert (record.msg, record.args) == ("Workspace %s refreshed", (7,))
