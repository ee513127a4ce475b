"""The embedded mode's local state, all under one folder (AAC_VAR_DIR, default var/).

There live the SQLite database, the filesystem broker's folders, the beat
schedule and the development encryption key. The settings only name these
paths and read the key if it is there; `prepare` creates them, called on
purpose by whoever starts the embedded mode (the demo, the test suite) before
anything reads the settings. Django-free, so it can run first.
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BROKER_FOLDERS = ("processed", "control")


def var_dir() -> Path:
    return Path(os.environ.get("AAC_VAR_DIR") or ROOT / "var")


def broker_dir(var: Path) -> Path:
    return var / "broker"


def key_file(var: Path) -> Path:
    return var / "field-encryption.key"


def read_key(var: Path) -> str | None:
    """The development key, or None when `prepare` has not made one yet."""
    path = key_file(var)
    return path.read_text().strip() if path.exists() else None


def prepare(var: Path) -> None:
    """Create the folder, the broker's folders and (once) the development key."""
    for folder in BROKER_FOLDERS:
        (broker_dir(var) / folder).mkdir(parents=True, exist_ok=True)
    path = key_file(var)
    if not path.exists():
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
