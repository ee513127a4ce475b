"""A pytest plugin for the sessions mutmut runs (`-p mutation.plugin`).

mutmut forks each mutant's pytest session from one process that has already
run the suite, so two things it inherits must be made its own: the SQLite
test database file (two mutants run side by side) and the functools caches
of the mutated code (a next run memoised before the mutant was switched on
would hide it).
"""

import functools
import os
import sys
from pathlib import Path

from django.conf import settings
from django.db import connections


def pytest_configure(config):
    test = settings.DATABASES["default"].setdefault("TEST", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        name = Path(settings.VAR_DIR) / f"test-db-{os.getpid()}.sqlite3"
        test["NAME"] = str(name)
        connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = str(name)


def pytest_sessionstart(session):
    mutants = str(Path.cwd())
    for module in list(sys.modules.values()):
        if not (getattr(module, "__file__", None) or "").startswith(mutants):
            continue
        for value in list(vars(module).values()):
            for candidate in (value, *_methods(value)):
                if isinstance(candidate, functools._lru_cache_wrapper):
                    candidate.cache_clear()


def _methods(value) -> list:
    if not isinstance(value, type):
        return []
    found = []
    for attribute in vars(value).values():
        found.append(getattr(attribute, "__func__", attribute))
    return found
