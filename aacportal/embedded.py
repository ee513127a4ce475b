"""The embedded mode's local state, all under one folder (AAC_VAR_DIR, default var/).

There live the SQLite database, the filesystem broker's folders, the beat
schedule and the development encryption key. The settings only name these
paths and read the key if it is there; `prepare` creates them, called on
purpose by whoever starts the embedded mode (the demo, the test suite) before
anything reads the settings. Django-free, so it can run first.

They hold the tokens and everything cached from AAC, so no one but the
portal's own user may read them: the folder and its subfolders are 0700, the
key and the database 0600 (SQLite gives its journal the database's mode).
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BROKER_FOLDERS = ("processed", "control")
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def var_dir() -> Path:
    return Path(os.environ.get("AAC_VAR_DIR") or ROOT / "var")


def database_file(var: Path) -> Path:
    return var / "db.sqlite3"


def broker_dir(var: Path) -> Path:
    return var / "broker"


def broker_transport_options(var: Path) -> dict:
    """kombu's filesystem transport, on the broker's folders under `var`."""
    folder = broker_dir(var)
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        # Broadcasts (worker control); kombu's default is ./control.
        "control_folder": str(folder / "control"),
    }


def key_file(var: Path) -> Path:
    return var / "field-encryption.key"


def read_key(var: Path) -> str | None:
    """The development key, or None when `prepare` has not made one yet."""
    path = key_file(var)
    return path.read_text().strip() if path.exists() else None


def prepare(var: Path) -> None:
    """Create the folder, the broker's folders, the database file and (once) the
    development key, readable by this user alone; close what an earlier
    version left open."""
    for folder in BROKER_FOLDERS:
        (broker_dir(var) / folder).mkdir(
            mode=PRIVATE_FOLDER, parents=True, exist_ok=True
        )
    for folder in (var, broker_dir(var), *broker_dir(var).iterdir()):
        folder.chmod(PRIVATE_FOLDER)
    path = key_file(var)
    if not path.exists():
        path.write_bytes(Fernet.generate_key())
    database_file(var).touch(mode=PRIVATE_FILE)
    for path in (key_file(var), database_file(var)):
        path.chmod(PRIVATE_FILE)
