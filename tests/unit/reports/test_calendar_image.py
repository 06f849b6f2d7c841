"""The calendar picture: its size follows the month and the people, and every script is really drawn
(Latin, Cyrillic, Arabic glyphs from the packaged fonts, not empty boxes)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image, ImageDraw

from shared.domain.absences import Absence, CellKind, Person, build_month
from shared.domain.enums import HalfDay, LeaveStatus
from shared.reports import calendar_image as drawing
from shared.reports.calendar_image import Labels, render_month

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
NAMES = {"latin": "Alice Smith", "cyrillic": "Борис Иванов", "arabic": "أحمد علي"}


def labels(*, rtl: bool = False) -> Labels:
    legend = ((CellKind.AWAY, "away"), (CellKind.PENDING, "waiting"), ("half", "half day"))
    return Labels("Ops — December 2026", WEEKDAYS, legend, "nobody", lambda n: f"and {n} more", rtl=rtl)


def grid(names: list[str]):
    people = [Person(i + 1, name, "12345") for i, name in enumerate(names)]
    absences = [
        Absence(1, 1, date(2026, 12, 7), date(2026, 12, 11), None, None, LeaveStatus.APPROVED, None),
        Absence(2, 2, date(2026, 12, 14), date(2026, 12, 14), HalfDay.MORNING, None, LeaveStatus.PENDING, None),
    ]
    return build_month(year=2026, month=12, title="Ops", people=people, absences=absences,
                       holidays={date(2026, 12, 25): "Christmas"}, today=date(2026, 12, 3))  # fmt: skip


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def name_cell(image: Image.Image, row: int, *, rtl: bool = False) -> Image.Image:
    top = drawing.PAD + drawing.HEADER + row * drawing.ROW
    if rtl:
        left = image.width - drawing.PAD - drawing.NAME_WIDTH
        return image.crop((left, top, image.width - drawing.PAD, top + drawing.ROW - 1))
    return image.crop((drawing.PAD, top, drawing.PAD + drawing.NAME_WIDTH - 8, top + drawing.ROW - 1))


def ink(region: Image.Image) -> int:
    """How many pixels are clearly darker than the white background."""
    return sum(1 for value in region.convert("L").tobytes() if value < 160)


def test_the_picture_is_a_png_as_wide_as_the_month_and_as_tall_as_the_team() -> None:
    small = picture(render_month(grid(["A"]), labels()))
    large = picture(render_month(grid(["A", "B", "C", "D"]), labels()))
    assert small.format == "PNG"
    assert small.width == drawing.PAD * 2 + drawing.NAME_WIDTH + drawing.CELL * 31
    assert large.height - small.height == 3 * drawing.ROW
    november = build_month(year=2026, month=11, title="Ops", people=[], absences=[], holidays={})
    assert picture(render_month(november, labels())).width == small.width - drawing.CELL


@pytest.mark.parametrize("script", list(NAMES))
def test_each_script_is_drawn_in_the_name_cell(script: str) -> None:
    image = picture(render_month(grid([NAMES[script]]), labels()))
    blank = picture(render_month(grid([" "]), labels()))
    assert ink(name_cell(image, 0)) > 40, f"no {script} glyphs were drawn"
    assert ink(name_cell(blank, 0)) == 0


@pytest.mark.parametrize("script", list(NAMES))
def test_the_packaged_fonts_have_real_glyphs_for_every_letter(script: str) -> None:
    """A font without a letter draws its "missing" box: every letter must look unlike that box."""
    for letter in NAMES[script].replace(" ", ""):
        family = drawing.ARABIC if drawing._is_arabic(letter) else drawing.LATIN
        font = drawing._font(family, 20)
        assert glyph(font, letter) != glyph(font, "\ue000"), f"{letter!r} has no glyph in {family}"
        assert glyph(font, letter) != glyph(font, " "), f"{letter!r} is drawn as nothing"


def glyph(font: drawing.Font, text: str) -> bytes:
    canvas = Image.new("L", (48, 48))
    ImageDraw.Draw(canvas).text((8, 4), text, font=font, fill=255)
    return canvas.tobytes()


def test_arabic_is_joined_and_put_right_to_left_before_drawing() -> None:
    shown = drawing.visual("أحمد")
    assert shown != "أحمد", "letters must take their joined forms"
    assert all(0xFE70 <= ord(ch) <= 0xFEFF for ch in shown), "presentation forms (joined letters)"
    assert drawing.visual("Борис") == "Борис"


def test_for_an_arabic_reader_the_names_are_on_the_right() -> None:
    image = picture(render_month(grid([NAMES["arabic"]]), labels(rtl=True)))
    assert ink(name_cell(image, 0, rtl=True)) > 40
    assert ink(name_cell(image, 0)) < ink(name_cell(image, 0, rtl=True))


def test_away_pending_and_day_off_cells_look_different() -> None:
    image = picture(render_month(grid(["A", "B"]), labels())).convert("RGB")
    top = drawing.PAD + drawing.HEADER

    def centre(row: int, day: int) -> tuple[int, int, int]:
        x = drawing.PAD + drawing.NAME_WIDTH + drawing.CELL * (day - 1) + drawing.CELL // 2
        return image.getpixel((x, top + row * drawing.ROW + drawing.ROW // 2))  # type: ignore[return-value]

    away, working, weekend = centre(0, 7), centre(0, 3), centre(0, 5)
    assert away == drawing.AWAY and working == drawing.WHITE and weekend == drawing.OFF
    x = drawing.PAD + drawing.NAME_WIDTH + drawing.CELL * 13 + drawing.CELL // 2
    upper = image.getpixel((x, top + drawing.ROW + 4))
    lower = image.getpixel((x, top + 2 * drawing.ROW - 6))
    assert upper != lower, "a pending morning is drawn in the upper half only"


def test_more_people_than_fit_are_counted_under_the_grid() -> None:
    many = [f"Person {i}" for i in range(drawing.MAX_ROWS + 5)]
    image = picture(render_month(grid(many), labels()))
    assert image.height == (
        drawing.PAD + drawing.HEADER + drawing.MAX_ROWS * drawing.ROW + drawing.ROW + drawing.LEGEND + drawing.PAD
    )


def test_hourly_leave_is_drawn_as_a_partial_day_not_as_a_day_away() -> None:
    starts = datetime(2026, 12, 3, 9, tzinfo=UTC)
    hourly = Absence(3, 1, date(2026, 12, 3), date(2026, 12, 3), None, None, LeaveStatus.APPROVED, None,
                     starts_at=starts, ends_at=starts + timedelta(hours=2))  # fmt: skip
    month = build_month(year=2026, month=12, title="Ops", people=[Person(1, "A", "12345")], absences=[hourly],
                        holidays={})  # fmt: skip
    legend = (*labels().legend, ("hours", "some hours"))
    image = picture(render_month(month, Labels("Ops", WEEKDAYS, legend, "nobody", str))).convert("RGB")
    x = drawing.PAD + drawing.NAME_WIDTH + drawing.CELL * 2 + drawing.CELL // 2
    top = drawing.PAD + drawing.HEADER
    near_top, middle = image.getpixel((x, top + 5)), image.getpixel((x, top + drawing.ROW // 2))
    assert near_top == drawing.PARTIAL != drawing.AWAY, "a light fill, never the solid blue of a day away"
    assert middle == drawing.AWAY, "the bar across the middle"
    legend_area = image.crop((0, top + drawing.ROW + 4, image.width, image.height))
    assert drawing.PARTIAL in {colour for _, colour in legend_area.getcolors(1 << 16) or []}, "the legend shows it"
