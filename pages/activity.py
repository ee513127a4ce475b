"""The activity log's CSV: its columns and rows.

Which rows a user sees, and the filters, are `workspaces.activity_log`'s,
shared with the API.
"""

import csv
from collections.abc import Iterator
from datetime import tzinfo

from django.db.models import QuerySet
from django.utils import timezone

from activity.models import Entry
from lib.spreadsheets import BYTE_ORDER_MARK, safe_cell

CSV_COLUMNS = (
    ("Time", "at"),
    ("User", "username"),
    ("Workspace", "workspace_name"),
    ("Action", "action"),
    ("Target", "target_kind"),
    ("Target id", "target_id"),
    ("Target name", "target_name"),
    ("Outcome", "outcome"),
    ("Message", "message"),
    ("AAC request id", "aac_request_id"),
    ("AAC execution id", "aac_execution_id"),
)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(entries: QuerySet[Entry], *, tz: tzinfo) -> Iterator[str]:
    """Every row, streamed; text cells pass the formula guard."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow([label for label, _ in CSV_COLUMNS])
    for entry in entries.iterator(chunk_size=2000):
        cells = [getattr(entry, name) for _, name in CSV_COLUMNS]
        cells[0] = timezone.localtime(entry.at, tz).isoformat()
        yield writer.writerow([safe_cell(str(cell)) for cell in cells])
