"""What every entry point checks before it serves a page or runs a task.

WSGI, ASGI, the worker, beat and `manage.py` call `refuse_unless_configured`
first (docs/reliability.md rule 13): outside DEBUG without usable encryption
keys the process stops with one message, the one `manage.py check` gives, and
no traceback. Needs only the settings, not the app registry.
"""

import sys

from workspaces.keys import check_encryption_keys

# The exit status gunicorn reads as "the worker cannot boot": it stops, rather
# than starting the worker again and again.
CANNOT_START = 3


def refuse_unless_configured() -> None:
    """Exit the process, saying why, when the encryption keys are unusable."""
    errors = check_encryption_keys()
    if errors:
        lines = "\n".join(str(error) for error in errors)
        sys.stderr.write(f"AAC Portal refuses to start:\n{lines}\n")
        sys.stderr.flush()
        raise SystemExit(CANNOT_START)
