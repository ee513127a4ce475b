"""Schedules found by a substring of their name, asset, owner's name or e-mail,
through an index on either database.

PostgreSQL: a trigram GIN index over the upper-cased columns
(`schedule_search_trgm`, migration 0009) answers Django's `icontains`, which
compares `UPPER(column)`, for a search of three characters or more. SQLite: an
FTS5 table with the trigram tokenizer, `schedule_search`, kept in step with
`schedules_schedule` by triggers (every write, the sync's upsert included),
matched as one phrase: its trigrams find the substring, case-insensitively.
Shorter searches have no trigram to look up: they read the rows, as before.
"""

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from schedules.models import Schedule

# The columns searched; the PostgreSQL index and the SQLite table hold these.
COLUMNS = ("name", "target_name", "owner_name", "owner_email")
# The shortest search an index answers: one trigram.
SHORTEST = 3
FTS_TABLE = "schedule_search"
TRGM_INDEX = "schedule_search_trgm"


def search(schedules: QuerySet[Schedule], text: str) -> QuerySet[Schedule]:
    """The schedules with `text` in one of COLUMNS, ignoring case."""
    if connection.vendor == "sqlite" and len(text) >= SHORTEST:
        phrase = '"' + text.replace('"', '""') + '"'
        # A constant table name; the search itself is a parameter.
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        matches = RawSQL(sql, [phrase])  # noqa: S611
        return schedules.filter(pk__in=matches)
    anywhere = Q()
    for column in COLUMNS:
        anywhere |= Q(**{f"{column}__icontains": text})
    return schedules.filter(anywhere)
