"""Force an interleaving: another caller's work, run at one exact point of mine.

Races that matter (a refresh finished between my read and my claim, a lease
taken over while my refresh is on the wire, a sync run delivered twice) are
fixed here in the order they must happen, in one thread, by wrapping the
function at that point; nothing is left to thread timing, so a test built on
it fails every time the guard it pins is missing.
"""

from collections.abc import Callable


def before_first_call(monkeypatch, owner, name: str, other: Callable[[], object]):
    """Run `other()` when `owner.name` is first called, then the call itself.

    Calls made by `other` itself go straight through. Returns a list that
    receives what `other` returned, to assert that it ran.
    """
    real, ran = getattr(owner, name), []

    def wrapped(*args, **kwargs):
        if not ran:
            ran.append(None)
            ran[0] = other()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapped)
    return ran


def after_first_call(monkeypatch, owner, name: str, other: Callable[[], object]):
    """Run `other()` when the first call of `owner.name` has returned."""
    real, ran = getattr(owner, name), []

    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        if not ran:
            ran.append(other())
        return result

    monkeypatch.setattr(owner, name, wrapped)
    return ran
