"""Writing spreadsheets the same way everywhere: bold frozen header, sensible widths, streaming rows."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


_FORBIDDEN_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(title: str) -> str:
    """A title Excel accepts: none of []:*?/\\, at most 31 characters, never empty."""
    cleaned = " ".join(title.translate(_FORBIDDEN_IN_TITLES).split())[:31].strip("'")
    return cleaned or "Sheet"


def new_workbook() -> Workbook:
    """A write-only workbook (rows are streamed: 10,000 employees × 31 days stay fast)."""
    return Workbook(write_only=True)


def add_sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    widths: Sequence[int] | None = None,
    freeze: str = "A2",
    rtl: bool = False,
) -> None:
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.freeze_panes = freeze
    if rtl:
        sheet.sheet_view.rightToLeft = True
    for index, header in enumerate(headers, 1):
        width = widths[index - 1] if widths and index <= len(widths) else max(10, min(40, len(str(header)) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(list(row))


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
