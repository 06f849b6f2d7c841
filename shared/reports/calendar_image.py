"""The team calendar as a PNG: one row per person, one column per day of the month, and a legend.

Drawn with Pillow. Fonts come from packages (Noto Sans for Latin and Cyrillic, Noto Sans Arabic), so the
picture looks the same on every machine. Arabic is shaped (``arabic_reshaper``) and put in visual order
(``python-bidi``) before drawing, because Pillow's basic layout does neither; mixed text is drawn run by
run, each run in the font that covers its script. For a right-to-left reader the whole grid is mirrored:
names on the right, the first day of the month at the right edge.

Cells: working day (white), day off (grey), public holiday (hatched amber), away (solid blue), waiting for
a decision (blue outline), and a half day fills only the upper (morning) or lower (afternoon) half. Hourly
leave (away for some hours, not the day) is a light blue cell with a thin blue bar across its middle (an
outlined bar while it waits), so it never reads as a day away.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import arabic_reshaper
from bidi import get_display
from fontpkg.pil import truetype
from PIL import Image, ImageDraw, ImageFont

from shared.domain.absences import Cell, CellKind, MonthGrid
from shared.domain.enums import HalfDay

Font = ImageFont.FreeTypeFont
LATIN, ARABIC = "Noto Sans", "Noto Sans Arabic"
CELL, ROW, NAME_WIDTH, PAD, HEADER, LEGEND = 26, 28, 230, 16, 74, 72
MAX_ROWS = 60
MAX_NAME = 28

WHITE, INK, MUTED, GRID = (255, 255, 255), (33, 37, 41), (108, 117, 125), (222, 226, 230)
OFF, HOLIDAY, AWAY, PENDING, TODAY = (233, 236, 239), (255, 214, 102), (13, 110, 253), (13, 110, 253), (220, 53, 69)
PARTIAL = (207, 226, 255)  # the light fill of a day with hourly leave
SAMPLE_HOUR = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Labels:
    """The words in the picture, already translated by the caller."""

    title: str
    weekdays: tuple[str, ...]  # Monday first, short
    legend: tuple[tuple[CellKind | str, str], ...]  # (kind, "half" or "hours", text)
    empty: str
    more: Callable[[int], str]  # "… and 3 more"
    rtl: bool = False


def _is_arabic(ch: str) -> bool:
    code = ord(ch)
    return 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF


@functools.lru_cache(maxsize=16)
def _font(family: str, size: int, bold: bool = False) -> Font:
    return truetype(family, size, weight=700 if bold else 400, layout_engine=ImageFont.Layout.BASIC)


def visual(text: str) -> str:
    """``text`` as it is drawn left to right: Arabic letters joined, right-to-left runs reversed."""
    if not any(_is_arabic(ch) for ch in text):
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def _runs(text: str) -> list[tuple[str, bool]]:
    """Consecutive pieces of ``text`` (in visual order) with whether they need the Arabic font."""
    runs: list[tuple[str, bool]] = []
    for ch in text:
        arabic = _is_arabic(ch) if not ch.isspace() else (runs[-1][1] if runs else False)
        if runs and runs[-1][1] == arabic:
            runs[-1] = (runs[-1][0] + ch, arabic)
        else:
            runs.append((ch, arabic))
    return runs


def text_width(text: str, size: int, bold: bool = False) -> float:
    return sum(_font(ARABIC if a else LATIN, size, bold).getlength(run) for run, a in _runs(visual(text)))


def draw_text(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, *, size: int, fill: tuple[int, int, int],
    bold: bool = False, anchor_right: bool = False,
) -> None:  # fmt: skip
    """Draw ``text`` (any script) with its left edge (or right edge) at ``xy``."""
    x, y = xy
    if anchor_right:
        x -= text_width(text, size, bold)
    for run, arabic in _runs(visual(text)):
        font = _font(ARABIC if arabic else LATIN, size, bold)
        draw.text((x, y), run, font=font, fill=fill)
        x += font.getlength(run)


def _short(name: str, size: int, width: int) -> str:
    if len(name) > MAX_NAME:
        name = name[: MAX_NAME - 1] + "…"
    while len(name) > 2 and text_width(name, size) > width:
        name = name[:-2] + "…"
    return name


def _paint_cell(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], cell: Cell) -> None:
    x0, y0, x1, y1 = box
    if cell.kind is CellKind.DAY_OFF:
        draw.rectangle(box, fill=OFF)
    elif cell.kind is CellKind.HOLIDAY:
        draw.rectangle(box, fill=(255, 243, 205))
        for k in range(x0 - (y1 - y0), x1, 6):  # hatch: "/" lines clipped to the box
            a = (max(k, x0), y1 - (max(k, x0) - k))
            b = (min(k + (y1 - y0), x1), y1 - (min(k + (y1 - y0), x1) - k))
            draw.line([a, b], fill=HOLIDAY, width=2)
    elif cell.kind in (CellKind.AWAY, CellKind.PENDING) and cell.partial:
        middle = (y0 + y1) // 2
        bar = (x0 + 2, middle - 2, x1 - 2, middle + 2)
        if cell.kind is CellKind.AWAY:
            draw.rectangle(box, fill=PARTIAL)
            draw.rectangle(bar, fill=AWAY)
        else:
            draw.rectangle(bar, outline=PENDING, width=1)
    elif cell.kind in (CellKind.AWAY, CellKind.PENDING):
        middle = (y0 + y1) // 2
        part = box
        if cell.half is HalfDay.MORNING:
            part = (x0, y0, x1, middle)
        elif cell.half is HalfDay.AFTERNOON:
            part = (x0, middle, x1, y1)
        if cell.kind is CellKind.AWAY:
            draw.rectangle(part, fill=AWAY)
        else:
            draw.rectangle((part[0] + 1, part[1] + 1, part[2] - 1, part[3] - 1), outline=PENDING, width=2)


def render_month(grid: MonthGrid, labels: Labels) -> bytes:
    """The PNG of ``grid`` (at most ``MAX_ROWS`` people; the rest are counted under the grid)."""
    rows = grid.rows[:MAX_ROWS]
    days = grid.days
    width = PAD * 2 + NAME_WIDTH + CELL * len(days)
    body = max(len(rows), 1) * ROW
    extra = ROW if len(grid.rows) > MAX_ROWS else 0
    height = PAD + HEADER + body + extra + LEGEND + PAD
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    rtl = labels.rtl

    def col_x(index: int) -> int:
        """Left edge of day ``index``'s column (mirrored for right-to-left readers)."""
        if rtl:
            return PAD + CELL * (len(days) - 1 - index)
        return PAD + NAME_WIDTH + CELL * index

    names_left = PAD + CELL * len(days) + 8 if rtl else PAD
    names_right = width - PAD if rtl else PAD + NAME_WIDTH - 8
    if rtl:
        draw_text(draw, (width - PAD, PAD), labels.title, size=20, fill=INK, bold=True, anchor_right=True)
    else:
        draw_text(draw, (PAD, PAD), labels.title, size=20, fill=INK, bold=True)
    top = PAD + HEADER
    for index, day in enumerate(days):
        x = col_x(index)
        weekday = labels.weekdays[day.weekday()]
        colour = TODAY if day == grid.today else (HOLIDAY if day in grid.holidays else MUTED)
        number = str(day.day)
        draw_text(draw, (x + (CELL - text_width(number, 12, True)) / 2, top - 36), number, size=12, fill=colour,
                  bold=True)  # fmt: skip
        draw_text(draw, (x + (CELL - text_width(weekday, 10)) / 2, top - 18), weekday, size=10, fill=colour)
    for r, row in enumerate(rows):
        y = top + r * ROW
        name = _short(row.name, 13, NAME_WIDTH - 12)
        if rtl:
            draw_text(draw, (names_right, y + 5), name, size=13, fill=INK, anchor_right=True)
        else:
            draw_text(draw, (names_left, y + 5), name, size=13, fill=INK)
        for index, cell in enumerate(row.cells):
            x = col_x(index)
            _paint_cell(draw, (x + 1, y + 2, x + CELL - 1, y + ROW - 2), cell)
        draw.line([(PAD, y + ROW), (width - PAD, y + ROW)], fill=GRID)
    if not rows:
        draw_text(draw, (PAD, top + 5), labels.empty, size=13, fill=MUTED)
    if extra:
        draw_text(draw, (PAD, top + body + 5), labels.more(len(grid.rows) - MAX_ROWS), size=12, fill=MUTED)
    _legend(draw, top + body + extra + 14, width, labels)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _legend(draw: ImageDraw.ImageDraw, y: int, width: int, labels: Labels) -> None:
    samples = {
        CellKind.DAY_OFF: Cell(CellKind.DAY_OFF),
        CellKind.HOLIDAY: Cell(CellKind.HOLIDAY),
        CellKind.AWAY: Cell(CellKind.AWAY),
        CellKind.PENDING: Cell(CellKind.PENDING),
        "half": Cell(CellKind.AWAY, HalfDay.MORNING),
        "hours": Cell(CellKind.AWAY, hours=((SAMPLE_HOUR, SAMPLE_HOUR),)),  # any range: only "partial" is drawn
    }
    x, line = PAD, 0
    for kind, text in labels.legend:
        item = CELL + 6 + text_width(text, 12) + 18
        if x + item > width - PAD and x > PAD:
            x, line = PAD, line + 1
        yy = y + line * 26
        sample = samples.get(kind)
        draw.rectangle((x, yy, x + CELL - 2, yy + 18), outline=GRID)
        if sample is not None:
            _paint_cell(draw, (x, yy, x + CELL - 2, yy + 18), sample)
        draw_text(draw, (x + CELL + 4, yy + 1), text, size=12, fill=INK)
        x += int(item)
