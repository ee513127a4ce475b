"""What every entry point checks before it serves a page or runs a task.

WSGI, ASGI, the worker, beat and `manage.py` call `refuse_unless_configured`
first (docs/reliability.md rule 13): outside DEBUG without usable encryption
keys the process stops with one message, the one `manage.py check` gives, and
no traceback. Needs only the settings, not the app registry.
"""

from workspaces.keys import check_encryption_keys


def refuse_unless_configured() -> None:
    """Exit the process, saying why, when the encryption keys are unusable."""
    errors = check_encryption_keys()
    if errors:
        lines = "\n".join(str(error) for error in errors)
        raise SystemExit(f"AAC Portal refuses to start:\n{lines}")
