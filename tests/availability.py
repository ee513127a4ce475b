"""What the suite may skip on a laptop but never under CI.

Under `CI=true` the real services are part of the contract (PostgreSQL, Redis,
a real worker, Chromium): a test that would skip for want of one fails instead.
"""

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return path if os.path.exists(path) else shutil.which("chromium")


def require_chromium() -> str:
    path = chromium_path()
    if not path:
        skip_or_fail("headless Chromium is not installed")
    return path


def require_redis_broker(broker_url: str) -> None:
    if not broker_url.startswith("redis://"):
        skip_or_fail("needs the Redis broker (set CELERY_BROKER_URL=redis://...)")


def require_postgres(vendor: str) -> None:
    if vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (set DATABASE_URL=postgres://...)")
