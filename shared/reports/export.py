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

A table names its columns with :class:`Column` (or plain header strings, which are text columns). A typed
column writes real cells with a number format: dates, date-times and times are dates and times a spreadsheet
can sort and filter (never text), counts and hours are numbers. Every XLSX sheet has a frozen, filterable
header whose columns are at least as wide as their header (no header is cut), and may carry a caption row
above it (what the sheet is and for which day).
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
ColumnKind = Literal["text", "integer", "decimal", "date", "datetime", "time"]

HEADER_FONT = Font(bold=True)
CAPTION_FONT = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORBIDDEN_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})
_PLAIN = (int, float, Decimal, date, datetime, time)
NUMBER_FORMATS: dict[ColumnKind, str] = {
    "integer": "0",
    "decimal": "0.0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "time": "hh:mm",
}
DEFAULT_WIDTHS: dict[ColumnKind, int] = {"date": 12, "datetime": 17, "time": 8, "integer": 8, "decimal": 9}
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    """A column: its header, the kind of its cells (their number format) and its width in characters."""

    header: str
    kind: ColumnKind = "text"
    width: int | None = None

    def sheet_width(self) -> float:
        """Wide enough for the header (plus the filter button) and the usual value; never wider than 60."""
        wanted = self.width or DEFAULT_WIDTHS.get(self.kind, 12)
        return float(min(MAX_WIDTH, max(wanted, len(self.header) + 4)))


@dataclass(frozen=True)
class Table:
    """One sheet (or the CSV): a title, the columns and the data rows, streamed; an optional caption row above
    the header (XLSX only) says what the sheet is, e.g. the digest's date."""

    title: str
    headers: Sequence[str | Column]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] | None = None
    freeze: str = "A2"
    caption: str | None = None

    def columns(self) -> list[Column]:
        widths = self.widths or ()
        out = []
        for index, header in enumerate(self.headers):
            column = header if isinstance(header, Column) else Column(str(header))
            if column.width is None and index < len(widths):
                column = Column(column.header, column.kind, widths[index])
            out.append(column)
        return out


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


def _text_cell(sheet: WriteOnlyWorksheet, value: object, kind: ColumnKind = "text") -> WriteOnlyCell:
    """A cell holding ``value``: numbers and dates as such (with the column's number format), anything else as
    a string cell (never a formula)."""
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, _PLAIN) and not isinstance(value, bool):
        if isinstance(value, datetime | time) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # a spreadsheet has no zones: callers pass local wall times
        cell = WriteOnlyCell(sheet, value=value)
        number_format = NUMBER_FORMATS.get(kind)
        if number_format is None and isinstance(value, datetime):
            number_format = NUMBER_FORMATS["datetime"]
        elif number_format is None and isinstance(value, date):
            number_format = NUMBER_FORMATS["date"]
        elif number_format is None and isinstance(value, time):
            number_format = NUMBER_FORMATS["time"]
        if number_format:
            cell.number_format = number_format
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl made "=…" a formula; a string cell is shown, never evaluated
    return cell


def _shifted(anchor: str, rows: int) -> str:
    """``A2`` moved ``rows`` rows down (the caption row pushes the header and the frozen pane down)."""
    letters = anchor.rstrip("0123456789")
    return f"{letters}{int(anchor[len(letters) :] or 1) + rows}"


def _add_sheet(workbook: Workbook, table: Table, *, rtl: bool) -> None:
    sheet = workbook.create_sheet(title=sheet_title(table.title))
    columns = table.columns()
    top = 1 if table.caption else 0
    sheet.freeze_panes = _shifted(table.freeze, top)
    if rtl:
        sheet.sheet_view.rightToLeft = True
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.sheet_width()
    if table.caption:
        caption = _text_cell(sheet, table.caption)
        caption.font = CAPTION_FONT
        sheet.append([caption])
    header_cells = []
    for column in columns:
        cell = _text_cell(sheet, column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    kinds = [c.kind for c in columns]
    last = top + 1
    for row in table.rows:
        sheet.append([_text_cell(sheet, value, kinds[i] if i < len(kinds) else "text") for i, value in enumerate(row)])
        last += 1
    if columns:
        sheet.auto_filter.ref = f"A{top + 1}:{get_column_letter(len(columns))}{last}"


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
        writer.writerow([csv_safe(c.header) for c in first.columns()])
        writer.writerows([csv_safe(v) for v in row] for row in first.rows)
        return text.getvalue().encode("utf-8-sig")
    workbook = Workbook(write_only=True)
    for table in tables:
        _add_sheet(workbook, table, rtl=rtl)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()
