"""The `postgres` marker: a test that means something only on PostgreSQL fails
under CI when the suite runs on another database, and skips on a laptop."""

from types import SimpleNamespace

import pytest

from tests import availability, conftest


def marked_item(*markers: str):
    return SimpleNamespace(
        get_closest_marker=lambda name: SimpleNamespace() if name in markers else None
    )


@pytest.fixture
def on_sqlite(monkeypatch):
    monkeypatch.setattr(conftest, "default_database", SimpleNamespace(vendor="sqlite"))


def test_a_postgres_test_fails_under_ci_on_sqlite(monkeypatch, on_sqlite):
    monkeypatch.setattr(availability, "IN_CI", True)

    with pytest.raises(pytest.fail.Exception, match="needs PostgreSQL"):
        conftest.pytest_runtest_setup(marked_item("postgres"))


def test_a_postgres_test_skips_on_a_laptop_on_sqlite(monkeypatch, on_sqlite):
    monkeypatch.setattr(availability, "IN_CI", False)

    with pytest.raises(pytest.skip.Exception, match="needs PostgreSQL"):
        conftest.pytest_runtest_setup(marked_item("postgres"))


def test_a_postgres_test_runs_on_postgresql(monkeypatch):
    monkeypatch.setattr(availability, "IN_CI", True)
    monkeypatch.setattr(
        conftest, "default_database", SimpleNamespace(vendor="postgresql")
    )

    conftest.pytest_runtest_setup(marked_item("postgres"))


def test_an_unmarked_test_runs_anywhere(monkeypatch, on_sqlite):
    monkeypatch.setattr(availability, "IN_CI", True)

    conftest.pytest_runtest_setup(marked_item("redis"))
