"""Strict checks of AAC's answers at the boundary.

Each helper either returns the value in the type the client promises or
raises the answer's ProtocolError naming the field, so a changed or broken
AAC fails loudly at the call, never three modules later.
"""

from datetime import UTC, datetime
from typing import Any

from aac.transport import Answer

JSONTypes = dict[str, type]


def fields(answer: Answer, doc: Any, types: JSONTypes, at: str = "") -> dict:
    """Check that doc is an object whose fields have the given JSON types."""
    if not isinstance(doc, dict):
        raise answer.invalid(f"{at or 'the answer'} is not a JSON object")
    for name, kind in types.items():
        value = doc.get(name)
        # bool is an int in Python but never an id or a count in JSON.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise answer.invalid(f"`{at}{name}` is missing or not {kind.__name__}")
    return doc


def count(answer: Answer, value: Any, at: str = "count") -> int:
    """A count: a non-negative integer."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise answer.invalid(f"`{at}` is not a count")
    return value


def count_of(answer: Answer) -> int:
    """The count of a `/count` route's answer, `{"count": N}`."""
    return count(answer, fields(answer, answer.doc, {"count": int})["count"])


def optional_text(answer: Answer, doc: dict, name: str) -> str | None:
    """A string field that may be absent or null."""
    value = doc.get(name)
    if value is None or isinstance(value, str):
        return value
    raise answer.invalid(f"`{name}` is not str")


def numeric_id(answer: Answer, doc: dict, name: str) -> int:
    """An id that a service may send as a number or as a string of digits."""
    value = doc.get(name)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise answer.invalid(f"`{name}` is missing or not an id")


def timestamp(answer: Answer, doc: dict, name: str) -> datetime | None:
    """An ISO-8601 instant (`2025-03-01T10:00:00.000Z`), None when absent or null."""
    value = doc.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise answer.invalid(f"`{name}` is not an ISO-8601 time")
