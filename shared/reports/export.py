"""The one writer of every spreadsheet and CSV Chronos hands out: exports are data, never code.

Whatever a person typed (a name, a department, a device) can reach an export. A spreadsheet program
runs a cell that starts with ``=`` (and, on import from CSV, ``+ - @`` or a tab / carriage return too)
as a formula: ``=HYPERLINK("http://evil","click")`` would become a live link, ``=cmd|…`` worse. So:

- XLSX: every text cell is written as a string cell (``data_type = "s"``, an inline string), never as
  a formula, whatever it starts with; numbers and dates stay numbers and dates. Characters XML cannot
  hold (control characters) are dropped instead of failing the whole file.
- CSV: a text cell that starts with ``= + - @``, a tab or a carriage return gets a leading apostrophe,
  as OWASP recommends ("CSV Injection"); the ``csv`` module quotes the rest. Numbers are left as they are.

:func:`write_tables` is the only function that produces export bytes; the timesheet, the digest
attachment and any future export describe their :class:`Table`\\ s and call it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

ExportFormat = Literal["xlsx", "csv"]

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORBIDDEN_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})
_PLAIN = (int, float, Decimal, date, datetime, time)


@dataclass(frozen=True)
class Table:
    """One sheet (or the CSV): a title, a header row and the data rows, streamed."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] | None = None
    freeze: str = "A2"


def sheet_title(title: str) -> str:
    """A title Excel accepts: none of []:*?/\\, at most 31 characters, never empty."""
    cleaned = " ".join(title.translate(_FORBIDDEN_IN_TITLES).split())[:31].strip("'")
    return cleaned or "Sheet"


def csv_safe(value: object) -> object:
    """A CSV cell that no spreadsheet program runs: text starting with a formula trigger gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, _PLAIN):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
    return value


def _text_cell(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    """A cell holding ``value``: numbers and dates as such, anything else as a string cell (never a formula)."""
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, _PLAIN) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl made "=…" a formula; a string cell is shown, never evaluated
    return cell


def _add_sheet(workbook: Workbook, table: Table, *, rtl: bool) -> None:
    sheet = workbook.create_sheet(title=sheet_title(table.title))
    sheet.freeze_panes = table.freeze
    if rtl:
        sheet.sheet_view.rightToLeft = True
    widths = table.widths
    for index, header in enumerate(table.headers, 1):
        width = widths[index - 1] if widths and index <= len(widths) else max(10, min(40, len(str(header)) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for header in table.headers:
        cell = _text_cell(sheet, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in table.rows:
        sheet.append([_text_cell(sheet, value) for value in row])


def write_tables(file_format: ExportFormat, tables: Sequence[Table], *, rtl: bool = False) -> bytes:
    """The export as bytes: an XLSX with one sheet per table (streamed: 10,000 rows stay fast), or the
    first table as CSV (UTF-8 with a BOM so Excel reads the accents; the other tables are XLSX-only extras
    such as a legend)."""
    if not tables:
        raise ValueError("an export needs at least one table")
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        first = tables[0]
        writer.writerow([csv_safe(h) for h in first.headers])
        writer.writerows([csv_safe(v) for v in row] for row in first.rows)
        return text.getvalue().encode("utf-8-sig")
    workbook = Workbook(write_only=True)
    for table in tables:
        _add_sheet(workbook, table, rtl=rtl)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()
