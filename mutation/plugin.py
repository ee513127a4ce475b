"""A pytest plugin for the sessions mutmut runs (`-p mutation.plugin`).

A mutant is judged by its module's guards (`[tool.mutation.guards]` in
pyproject.toml): of the tests mutmut found reaching the mutated function, only
those. The log filter runs under every test that logs, the encrypted field
under every test that saves a connection; hundreds of tests that pass through
a module without checking it would make each surviving mutant cost minutes.

mutmut forks each mutant's pytest session from one process that has already
run the suite, so what it inherits must be made its own: the SQLite test
database (two mutants run side by side) and the functools caches of the
mutated code (a next run memoised before the mutant was switched on would
hide it).

Migrating a fresh test database costs each session more CPU than most of its
tests: the first session (mutmut's own run of the whole selection) keeps its
migrated database as a template, and every later session starts from a copy
(pytest-django's `--reuse-db` then only checks that nothing is left to
migrate).
"""

import functools
import os
import shutil
import sys
import tomllib
from pathlib import Path

from django.conf import settings
from django.db import connections

TEMPLATE = "test-db-template.sqlite3"
SQLITE_FILES = ("", "-wal", "-shm")


def pytest_configure(config):
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        return
    var = Path(settings.VAR_DIR)
    template, own = var / TEMPLATE, _own_database(var)
    if template.exists():
        shutil.copyfile(template, own)
        name = own
    else:
        name = template
    config.option.reuse_db = True
    for settings_dict in (database, connections["default"].settings_dict):
        settings_dict.setdefault("TEST", {})["NAME"] = str(name)


def pytest_unconfigure(config):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        own = _own_database(Path(settings.VAR_DIR))
        for suffix in SQLITE_FILES:
            Path(f"{own}{suffix}").unlink(missing_ok=True)


def pytest_collection_modifyitems(session, config, items):
    guards = guards_of(os.environ.get("MUTANT_UNDER_TEST", ""))
    if guards is None:
        return
    kept = [item for item in items if item.nodeid.startswith(guards)]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


def guards_of(mutant: str) -> tuple[str, ...] | None:
    """The test paths that judge `mutant` ("workspaces.crypto.x_encrypt__mutmut_3"),
    or None outside a mutant's session (mutmut's own runs of the selection)."""
    module = mutant.rpartition(".")[0]
    if not module:
        return None
    table = tomllib.loads(Path("pyproject.toml").read_text())
    guards = table["tool"]["mutation"]["guards"]
    return tuple(guards.get(module.replace(".", "/") + ".py", ()))


def pytest_sessionstart(session):
    mutants = str(Path.cwd())
    for module in list(sys.modules.values()):
        if not (getattr(module, "__file__", None) or "").startswith(mutants):
            continue
        for value in list(vars(module).values()):
            for candidate in (value, *_methods(value)):
                if isinstance(candidate, functools._lru_cache_wrapper):
                    candidate.cache_clear()


def _own_database(var: Path) -> Path:
    return var / f"test-db-{os.getpid()}.sqlite3"


def _methods(value) -> list:
    if not isinstance(value, type):
        return []
    return [getattr(a, "__func__", a) for a in vars(value).values()]
