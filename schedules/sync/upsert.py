"""The upsert of a kind's rows, written per database vendor.

The rows it takes are made by `Upsert.rows` while a connection's list is read
(`fetch`) and spooled in the model's column order; `apply` sets each row's
`seen_by` once every connection has been read, and runs the upsert.
"""

import json
import sqlite3
from datetime import UTC
from functools import cache

from django.db import connection, models

from schedules.sync.kinds import Kind, ParsedItem
from workspaces.models import Workspace


class Upsert:
    """One INSERT ... ON CONFLICT (workspace, key) DO UPDATE per page of a kind.

    Django's bulk_create(update_conflicts=True) writes the same statement but
    compiles every one of a page's 27,000 values through the ORM (most of a
    full sync's time), and on SQLite splits a page into some 25 statements to
    stay under 999 parameters. Here values go as they are (text, numbers,
    booleans, `raw` as the JSON text the parser made), dates adapted as Django
    would: on SQLite as one statement of as many rows as its parameters allow
    (a page's thousand, since SQLite 3.32); on PostgreSQL, whose driver
    quotes each value in Python, as one JSON document the server unpacks
    (json_populate_recordset), which takes a tenth of the time.
    """

    def __init__(self, kind: Kind) -> None:
        self.model = kind.model
        self.key = kind.key
        # The `derived` fields are the kind's `after_apply`'s to write.
        self.fields = [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name not in kind.derived
        ]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.dates = [
            i for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)
        ]
        names = [f.attname for f in self.fields]
        self.key_index = names.index(self.key)
        self.seen_by_index = names.index("seen_by")

    @classmethod
    @cache
    def of(cls, kind: Kind) -> "Upsert":
        return cls(kind)

    def rows(
        self, workspace: Workspace, page: list[ParsedItem], synced_at
    ) -> list[tuple]:
        """Rows in column order; `seen_by` is set when the union is known."""
        rows = []
        for parsed in page:
            row = self.defaults | parsed.fields | {"synced_at": synced_at}
            row |= {"workspace_id": workspace.pk, self.key: parsed.aac_id}
            row |= {"fingerprint": parsed.fingerprint, "raw": parsed.raw_json}
            rows.append(tuple(row[f.attname] for f in self.fields))
        return rows

    def key_of(self, row: tuple) -> int:
        return row[self.key_index]

    def seen_by(self, row: tuple, mask: int) -> tuple:
        """The row, listed by the connections of `mask`."""
        i = self.seen_by_index
        return (*row[:i], mask, *row[i + 1 :])

    def run(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self.sql(json_rows=True), [self._json_rows(rows)])
                return
            # One statement of many rows, not one per row (executemany): the
            # search table's triggers then feed its index a statement at a
            # time, not a row at a time (three times faster).
            per_statement = _sqlite_parameters() // len(self.columns)
            for start in range(0, len(rows), per_statement):
                chunk = self._adapted(rows[start : start + per_statement])
                values = [value for row in chunk for value in row]
                cursor.execute(self.sql(json_rows=False, rows=len(chunk)), values)

    def _adapted(self, rows: list[tuple]) -> list[list]:
        adapted = []
        for row in rows:
            row = list(row)
            for i in self.dates:
                row[i] = _sqlite_datetime(row[i])
            adapted.append(row)
        return adapted

    def _json_rows(self, rows: list[tuple]) -> str:
        """A JSON array of row objects; `raw` spliced in as the JSON it is."""
        objects = []
        for row in rows:
            values = dict(zip(self.columns, row, strict=True))
            raw = values.pop("raw")
            for i in self.dates:
                if row[i] is not None:
                    values[self.columns[i]] = row[i].isoformat()
            objects.append(f'{json.dumps(values)[:-1]},"raw":{raw}}}')
        return f"[{','.join(objects)}]"

    def sql(self, *, json_rows: bool, rows: int = 1) -> str:
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns)
        key = [
            quote(self.model._meta.get_field(n).column) for n in ("workspace", self.key)
        ]
        updates = ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}"
            for c in self.columns
            if quote(c) not in key
        )
        if json_rows:
            source = f"json_populate_recordset(NULL::{table}, %s)"
            source = f"SELECT {columns} FROM {source}"  # noqa: S608 (see below)
        else:
            row = f"({', '.join(['%s'] * len(self.columns))})"
            source = f"VALUES {', '.join([row] * rows)}"
        # Identifiers come from the model, quoted; every value is a parameter.
        return (
            f"INSERT INTO {table} ({columns}) {source} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )


def _sqlite_parameters() -> int:
    """The most parameters one SQLite statement takes (32,766 since 3.32)."""
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _sqlite_datetime(value):
    """A date as Django writes it to SQLite: the parser's are in UTC, written
    as they are, naive; any other as Django adapts it."""
    if value is not None and value.tzinfo is UTC and connection.timezone is UTC:
        return str(value.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)
