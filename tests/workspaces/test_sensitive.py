"""Every function that holds a token says so to Django's error reports, which then
hide its locals (and those of everything it calls), in DEBUG too
(docs/reliability.md rule 11). Found from the code: a new function holding a
token without the marker fails here."""

import inspect
from types import FunctionType

import pytest

from pages.views import connections as connection_views
from workspaces import clients, connection, enrolment, forms, services
from workspaces.tokens import lease, pasted, refresh, rows

MODULES = (
    lease,
    refresh,
    pasted,
    rows,
    connection,
    clients,
    enrolment,
    forms,
    services,
    connection_views,
)
# Local names that hold a token, a grant of two, or a row loaded with them.
TOKEN_NAMES = {
    "row",
    "current",
    "token",
    "access_token",
    "refresh_token",
    "stale_token",
    "rejected_token",
    "grant",
    "access",
    "refresh",
    "data",
    "value",
}


def functions():
    for module in MODULES:
        for name, member in vars(module).items():
            if inspect.isclass(member) and member.__module__ == module.__name__:
                for attribute, value in vars(member).items():
                    if isinstance(value, FunctionType):
                        yield f"{module.__name__}.{name}.{attribute}", value
            elif (
                isinstance(member, FunctionType)
                and member.__module__ == module.__name__
            ):
                yield f"{module.__name__}.{name}", member


def holds_a_token(fn) -> bool:
    code = inspect.unwrap(fn).__code__
    return bool(TOKEN_NAMES & set(code.co_varnames))


def marked(fn) -> bool:
    return fn.__code__.co_name == "sensitive_variables_wrapper"


HOLDERS = [(name, fn) for name, fn in functions() if holds_a_token(fn)]


def test_the_token_code_is_found():
    names = {name for name, _ in HOLDERS}
    assert "workspaces.tokens.refresh._exchange" in names
    assert "workspaces.tokens.lease.fresh_access_token" in names
    assert len(names) > 15


@pytest.mark.parametrize(("name", "fn"), HOLDERS, ids=[name for name, _ in HOLDERS])
def test_each_function_holding_a_token_is_marked_sensitive(name, fn):
    assert marked(fn), f"{name} holds a token: decorate it with @sensitive_variables()"
