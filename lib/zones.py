"""IANA timezones by name: the one lookup the portal uses.

Names come from AAC (a schedule's trigger) and from people (their
preference), so any of them may be unknown, malformed or from an older tzdata:
`zone` answers None for those instead of raising.
"""

import functools
import zoneinfo

# zoneinfo itself keeps only a few zones loaded; a workspace uses more. Bounded,
# because unknown names are remembered too.
CACHE_SIZE = 2048


@functools.lru_cache(maxsize=CACHE_SIZE)
def zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone called `name`, or None when there is no such zone (or no name)."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA name this machine knows; read from disk once per process."""
    return frozenset(zoneinfo.available_timezones())
