"""Applying a consistent fetch: the upsert of each kind's rows, in one transaction.

The upsert is written per database vendor; the rows it takes are made by
`fetch` (`Upsert.row`) and spooled, in the model's column order.
"""

import json
from dataclasses import dataclass
from functools import cache

from django.db import connection, models, transaction
from django.utils import timezone

from schedules.models import KindCounts, SyncRun
from schedules.sync.kinds import Kind, ParsedItem
from schedules.sync.runs import Heartbeat, finish
from schedules.sync.spool import Spool
from workspaces.models import Workspace

# Rows per DELETE.
BATCH_SIZE = 500


class Upsert:
    """One INSERT ... ON CONFLICT (workspace, key) DO UPDATE per page of a kind.

    Django's bulk_create(update_conflicts=True) writes the same statement but
    compiles every one of a page's 27,000 values through the ORM (most of a
    full sync's time), and on SQLite splits a page into some 25 statements to
    stay under 999 parameters. Here values go as they are (text, numbers,
    booleans, `raw` as the JSON text the parser made), dates adapted as Django
    would: on SQLite as rows for executemany; on PostgreSQL, whose driver
    quotes each value in Python, as one JSON document the server unpacks
    (json_populate_recordset), which takes a tenth of the time.
    """

    def __init__(self, kind: Kind) -> None:
        self.model = kind.model
        self.key = kind.key
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

    @classmethod
    @cache
    def of(cls, kind: Kind) -> "Upsert":
        return cls(kind)

    def row(self, workspace: Workspace, parsed: ParsedItem, *, synced_at) -> tuple:
        """A row in column order."""
        row = self.defaults | parsed.fields | {"synced_at": synced_at}
        row |= {"workspace_id": workspace.pk, self.key: parsed.aac_id}
        row |= {"fingerprint": parsed.fingerprint, "raw": parsed.raw_json}
        return tuple(row[f.attname] for f in self.fields)

    def run(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self.sql(json_rows=True), [self._json_rows(rows)])
            else:
                cursor.executemany(self.sql(json_rows=False), self._adapted(rows))

    def _adapted(self, rows: list[tuple]) -> list[list]:
        adapt = connection.ops.adapt_datetimefield_value
        adapted = []
        for row in rows:
            row = list(row)
            for i in self.dates:
                row[i] = adapt(row[i])
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

    def sql(self, *, json_rows: bool) -> str:
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
            rows = f"json_populate_recordset(NULL::{table}, %s)"
            source = f"SELECT {columns} FROM {rows}"  # noqa: S608 (see below)
        else:
            source = f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        # Identifiers come from the model, quoted; every value is a parameter.
        return (
            f"INSERT INTO {table} ({columns}) {source} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )


@dataclass
class Changes:
    """What a consistent fetch of one kind leaves to apply."""

    kind: Kind
    # Pages of new and changed rows, made by `Upsert.row`.
    spool: Spool
    # Keys of stored objects AAC no longer lists (confirmed).
    gone: set
    counts: KindCounts


def apply(
    run: SyncRun, workspace: Workspace, changes: list[Changes], heartbeat: Heartbeat
) -> SyncRun:
    """Write every kind's rows and deletions, then finish the run, atomically.

    The heartbeat inside the transaction also locks the run's row until the
    commit (on PostgreSQL): an expiry arriving meanwhile waits, then finds the
    run finished. A run already expired raises RunLost: nothing is applied.
    """
    with transaction.atomic():
        heartbeat.beat()
        counts = {
            change.kind.name: _apply_kind(change, workspace) for change in changes
        }
        return finish(
            run, SyncRun.Status.SUCCEEDED, counts=counts, pages_fetched=heartbeat.pages
        )


def _apply_kind(changes: Changes, workspace: Workspace) -> KindCounts:
    kind = changes.kind
    upsert = Upsert.of(kind)
    for rows in changes.spool:
        upsert.run(rows)
    changes.counts.deleted = _delete(kind, workspace, sorted(changes.gone))
    if kind.after_apply is not None:
        kind.after_apply(workspace, timezone.now())
    return changes.counts


def _delete(kind: Kind, workspace: Workspace, keys: list) -> int:
    deleted = 0
    for start in range(0, len(keys), BATCH_SIZE):
        batch = keys[start : start + BATCH_SIZE]
        done, _ = kind.model.objects.filter(
            workspace=workspace, **{f"{kind.key}__in": batch}
        ).delete()
        deleted += done
    return deleted
