"""Deterministic randomness keyed by numbers, cheap enough for every run.

A run's outcome and a watcher's firing depend only on their key (seed,
workspace, asset or trigger, instant), never on what was drawn before: run
history made in pieces is then the same as history made at once. The key is
a tuple of integers, whose `hash` Python never salts (text it does), spread
by one SplitMix64 step.
"""

_MASK = (1 << 64) - 1


def _mix(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def draw(*key: int) -> int:
    """64 random-looking bits, a pure function of the integers in `key`."""
    return _mix(hash(key) & _MASK)


def units(*key: int) -> tuple[float, float, float, float]:
    """Four numbers in [0, 1) (16 bits each), a pure function of `key`."""
    state = draw(*key)
    return (
        (state & 0xFFFF) / 65536,
        ((state >> 16) & 0xFFFF) / 65536,
        ((state >> 32) & 0xFFFF) / 65536,
        (state >> 48) / 65536,
    )
