"""Text for files people open in a spreadsheet: no cell may run as a formula.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with `=`,
`+`, `-` or `@` (some fold the full-width forms to these), also after blanks
they skip, and some treat a cell that starts with a control character (tab,
carriage return, line feed, NUL) the same way. Such a cell is written with a
leading apostrophe, which spreadsheets show as text (docs/reliability.md
rule 18). Every text cell of every export goes through `safe_cell`.
"""

FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Excel reads a CSV file as UTF-8 only when it starts with this.
BYTE_ORDER_MARK = "\ufeff"


def safe_cell(value: str) -> str:
    """The value, or the value behind an apostrophe when it could run."""
    control = value[:1] < " " and value != ""
    if control or value.lstrip()[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value
