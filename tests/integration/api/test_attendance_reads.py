"""Attendance and report reads over HTTP, on one month seeded once per backend for the whole module.

Nothing here writes, so the tests share one database (seeded once on SQLite, once on PostgreSQL) and
one app: daily rows and their filters, punches, the exception digest as JSON and the timesheet files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from openpyxl import load_workbook

from api.main import create_app
from shared.config import Settings
from shared.domain.enums import DeviceStatus, Direction, LeaveStatus, PunchSource
from shared.model import Device, LeaveRequest, Punch
from shared.persistence import Database
from shared.redis_client import create_redis
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.org.tokens import create_token
from tests.conftest import _wipe
from tests.factories import Company, make_company
from tests.integration.api.conftest import ROLES

pytestmark = pytest.mark.asyncio(loop_scope="module")

API = "/api/v1"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday
FRIDAY = date(2026, 11, 20)
SECRET = "reads-secret"


@dataclass
class World:
    client: httpx.AsyncClient
    company: Company
    headers: dict[str, dict[str, str]]
    device_id: int
    unknown_punch_id: int
    bob_leave_id: int


def _at(day: date, hh: int, mm: int) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN)


async def _seed(database: Database) -> tuple[Company, int, int, int, dict[str, dict[str, str]]]:
    """November 2026 up to Sunday the 22nd: Alice on time (late on Fridays), Bob forgets his Friday
    check-out, Max absent on Friday, HR never punches; an unknown badge on Friday; Bob on leave Nov 23–24."""
    company = await make_company(database)
    async with database.transaction() as s:
        device = Device(name="Gate", host="10.0.0.9", status=DeviceStatus.OFFLINE)
        s.add(device)
        await s.flush()
        punches = []
        day = date(2026, 11, 2)
        while day <= FRIDAY:
            if day.isoweekday() <= 5:
                late = 25 if day.isoweekday() == 5 else 0
                punches += [
                    Punch(employee_id=company.alice_id, source=PunchSource.DEVICE, device_id=device.id,
                          device_user_id="1", instant=_at(day, 9, late), direction=Direction.IN),
                    Punch(employee_id=company.alice_id, source=PunchSource.DEVICE, device_id=device.id,
                          device_user_id="1", instant=_at(day, 18, 5), direction=Direction.OUT),
                    Punch(employee_id=company.bob_id, source=PunchSource.TELEGRAM, instant=_at(day, 8, 55),
                          direction=Direction.IN),
                ]  # fmt: skip
                if day != FRIDAY:
                    punches.append(
                        Punch(employee_id=company.bob_id, source=PunchSource.TELEGRAM, instant=_at(day, 18, 0),
                              direction=Direction.OUT)
                    )  # fmt: skip
                    punches.append(
                        Punch(employee_id=company.manager_id, source=PunchSource.MANUAL, instant=_at(day, 9, 0),
                              direction=Direction.IN, note="forgot badge")
                    )  # fmt: skip
                    punches.append(
                        Punch(employee_id=company.manager_id, source=PunchSource.MANUAL, instant=_at(day, 18, 0),
                              direction=Direction.OUT, note="forgot badge")
                    )  # fmt: skip
            day += timedelta(days=1)
        unknown = Punch(employee_id=None, source=PunchSource.DEVICE, device_id=device.id, device_user_id="777",
                        instant=_at(FRIDAY, 8, 0), direction=Direction.UNKNOWN)  # fmt: skip
        leave = LeaveRequest(
            employee_id=company.bob_id,
            leave_type_id=company.annual_id,
            start_date=date(2026, 11, 23),
            end_date=date(2026, 11, 24),
            working_days=2,
            status=LeaveStatus.APPROVED,
            approver_id=company.manager_id,
        )
        s.add_all([*punches, unknown, leave])
        await s.flush()
        ids = (device.id, unknown.id, leave.id)
    async with database.transaction() as s:
        await process_days(
            s, date_from=date(2026, 11, 1), date_to=date(2026, 11, 22), now=NOW, company_timezone="Europe/Berlin"
        )
    headers = {}
    async with database.transaction() as s:
        for role in ROLES:
            _row, plaintext = await create_token(
                s,
                name=f"reads-{role}",
                role=role,
                pepper=SECRET,
                actor=Actor.cli(),
                employee_id=company.manager_id if role == "manager" else None,
            )
            headers[role] = {"Authorization": f"Bearer {plaintext}"}
    return company, *ids, headers


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend_url(request: pytest.FixtureRequest) -> str:
    """The session's migrated database of each backend (made outside the module's event loop)."""
    return request.getfixturevalue("pg_url" if request.param == "postgres" else "sqlite_url")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(backend_url: str) -> AsyncIterator[World]:
    database = Database.from_url(backend_url)
    await _wipe(database)
    company, device_id, unknown_id, leave_id, headers = await _seed(database)
    settings = Settings(_env_file=None, api_secret_key=SECRET, company_timezone="Europe/Berlin")
    app = create_app(settings, database, create_redis(""), clock=lambda: NOW, metrics_cache_seconds=0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield World(client, company, headers, device_id, unknown_id, leave_id)
    await database.dispose()


async def _get(world: World, path: str, role: str = "readonly", status: int = 200, **headers: str) -> dict:
    response = await world.client.get(f"{API}{path}", headers={**world.headers[role], **headers})
    assert response.status_code == status, response.text
    return response.json()


# ---------------------------------------------------------------- daily attendance


async def test_one_day_lists_everyone_with_names_and_department(world: World):
    page = await _get(world, f"/attendance/daily?date={FRIDAY}")
    rows = {row["employee_name"]: row for row in page["items"]}
    assert page["total"] == 4 and list(rows) == ["Hana HR", "Max Manager", "Alice", "Bob"]  # by employee id
    assert (
        rows["Alice"]["status"] == "present" and rows["Alice"]["late_minutes"] == 25
    )  # the grace decides whether, not how much
    assert rows["Alice"]["employee_code"] == "A1" and rows["Alice"]["department_name"] == "Ops"
    assert rows["Bob"]["status"] == "incomplete" and rows["Bob"]["last_out"] is None
    assert rows["Max Manager"]["status"] == "absent" and rows["Hana HR"]["status"] == "absent"
    assert rows["Alice"]["first_in"] == "2026-11-20T08:25:00Z"


async def test_daily_rows_filter_by_range_status_department_and_employee(world: World):
    week = await _get(world, "/attendance/daily?date_from=2026-11-16&date_to=2026-11-22")
    assert week["total"] == 28 and week["items"][0]["date"] == "2026-11-16"
    absent = await _get(world, "/attendance/daily?date_from=2026-11-16&date_to=2026-11-20&status=absent")
    assert absent["total"] == 6 and {r["employee_name"] for r in absent["items"]} == {"Hana HR", "Max Manager"}
    dept = world.company.department_id
    assert (await _get(world, f"/attendance/daily?date={FRIDAY}&department_id={dept}"))["total"] == 4
    assert (await _get(world, f"/attendance/daily?date={FRIDAY}&department_id={dept + 1}"))["total"] == 0
    alice = await _get(
        world, f"/attendance/daily?date_from=2026-11-01&date_to=2026-11-30&employee_id={world.company.alice_id}"
    )
    assert alice["total"] == 22 and {r["status"] for r in alice["items"]} == {"present", "weekend"}


async def test_daily_pages_are_bounded_and_ranges_checked(world: World):
    page = await _get(world, "/attendance/daily?date_from=2026-11-01&date_to=2026-11-22&limit=5&offset=10")
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (88, 5, 10, 5)
    last = await _get(world, "/attendance/daily?date_from=2026-11-01&date_to=2026-11-22&limit=500&offset=85")
    assert len(last["items"]) == 3
    for query, field in (
        ("", "date"),
        ("?date_from=2026-11-01", "date_to"),
        ("?date_to=2026-11-01", "date_from"),
        ("?date=2026-11-01&date_to=2026-11-02", "date"),
        ("?date_from=2026-11-02&date_to=2026-11-01", "date_to"),
        ("?date_from=2026-01-01&date_to=2026-03-04", "date_to"),
        ("?date=2026-11-31", "date"),
        ("?date=1999-12-31", "date"),
        ("?date=2026-11-20&limit=501", "limit"),
        ("?date=2026-11-20&status=late", "status"),
    ):
        error = (await _get(world, f"/attendance/daily{query}", status=422))["error"]
        assert error["details"][0]["field"] == field, query
    assert (await _get(world, "/attendance/daily?date_from=2026-01-01&date_to=2026-03-03"))["total"] >= 0


async def test_a_manager_token_reads_its_reporting_line_only(world: World):
    page = await _get(world, f"/attendance/daily?date={FRIDAY}", role="manager")
    assert [r["employee_name"] for r in page["items"]] == ["Max Manager", "Alice", "Bob"]
    punches = await _get(world, "/attendance/punches?unmatched=true", role="manager")
    assert punches["total"] == 0
    sheet = await world.client.get(
        f"{API}/reports/timesheet?month=2026-11&format=csv", headers=world.headers["manager"]
    )
    names = [row[1] for row in csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")))][1:]
    assert names == ["Alice", "Bob", "Max Manager"]


# ---------------------------------------------------------------- punches


async def test_punches_list_newest_first_with_filters(world: World):
    everything = await _get(world, "/attendance/punches?limit=3")
    assert everything["total"] == 15 * 2 + 15 * 2 - 1 + 14 * 2 + 1  # Alice, Bob (no Friday check-out), Max, unknown
    instants = [p["instant"] for p in everything["items"]]
    assert instants == sorted(instants, reverse=True)
    unknown = await _get(world, "/attendance/punches?unmatched=true")
    assert [p["id"] for p in unknown["items"]] == [world.unknown_punch_id]
    assert unknown["items"][0]["device_user_id"] == "777" and unknown["items"][0]["employee_id"] is None
    friday = await _get(world, f"/attendance/punches?date_from={FRIDAY}&date_to={FRIDAY}&device_id={world.device_id}")
    assert friday["total"] == 3  # Alice's two and the unknown badge
    manual = await _get(world, f"/attendance/punches?source=manual&employee_id={world.company.manager_id}")
    assert manual["total"] == 28 and manual["items"][0]["note"] == "forgot badge"
    assert (await _get(world, "/attendance/punches?unmatched=false&source=telegram"))["total"] == 29
    error = (await _get(world, "/attendance/punches?date_from=2026-11-02&date_to=2026-11-01", status=422))["error"]
    assert error["details"][0]["field"] == "date_to"


# ---------------------------------------------------------------- the exception digest


async def test_the_digest_of_a_day_as_json(world: World):
    digest = await _get(world, f"/reports/exceptions?date={FRIDAY}", role="hr")
    assert digest["date"] == "2026-11-20" and digest["today"] == "2026-11-23" and not digest["quiet"]
    (ops,) = digest["groups"]
    assert ops["department"] == "Ops"
    rows = {(r["full_name"], r["kind"]): r for r in ops["rows"]}
    assert set(rows) == {
        ("Alice", "late"),
        ("Bob", "missing_checkout"),
        ("Hana HR", "absent"),
        ("Max Manager", "absent"),
    }
    assert rows["Alice", "late"]["minutes"] == 25 and rows["Alice", "late"]["label"] == "late"
    assert digest["counts"]["absent"] == 2 and digest["counts"]["unknown_user"] == 1 and digest["exception_count"] == 5
    (badge,) = digest["unknown_badges"]
    assert (badge["device_name"], badge["device_user_id"], badge["punch_count"]) == ("Gate", "777", 1)
    assert [d["name"] for d in digest["offline_devices"]] == ["Gate"] and digest["dead_outbox"] == 0
    (out,) = digest["who_is_out"]
    assert (out["full_name"], out["leave_request_id"], out["return_date"]) == ("Bob", world.bob_leave_id, "2026-11-25")


async def test_the_digest_defaults_to_yesterday_and_managers_see_their_people_without_devices(world: World):
    sunday = await _get(world, "/reports/exceptions")
    assert sunday["date"] == "2026-11-22" and sunday["groups"] == [] and sunday["exception_count"] == 0
    assert not sunday["quiet"] and sunday["who_is_out"][0]["full_name"] == "Bob"  # and the device is offline
    mine = await _get(world, f"/reports/exceptions?date={FRIDAY}", role="manager")
    assert {r["full_name"] for g in mine["groups"] for r in g["rows"]} == {"Alice", "Bob", "Max Manager"}
    assert mine["unknown_badges"] == [] and mine["offline_devices"] == [] and mine["exception_count"] == 3
    assert (await _get(world, "/reports/exceptions?date=2026-02-30", status=422))["error"]["details"][0][
        "field"
    ] == "date"


# ---------------------------------------------------------------- the timesheet


async def test_the_timesheet_xlsx_has_codes_totals_a_legend_and_a_frozen_header(world: World):
    response = await world.client.get(f"{API}/reports/timesheet?month=2026-11", headers=world.headers["hr"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"] == 'attachment; filename="chronos-timesheet-2026-11.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet, legend = book.worksheets
    assert sheet.title == "Timesheet 2026-11" and sheet.freeze_panes == "D3"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Timesheet November 2026 (Nov 1, 2026 – Nov 30, 2026)"
    header, rows = rows[1], rows[1:]
    assert header[:4] == ("Code", "Employee", "Department", "01 Su")
    assert header[-5:] == ("Present", "Absent", "Leave days", "Late", "Hours worked")
    assert len(header) == 3 + 30 + 5
    by_name = {row[1]: row for row in rows[1:]}
    assert list(by_name) == ["Alice", "Bob", "Hana HR", "Max Manager"]  # department, then name
    alice = by_name["Alice"]
    assert alice[3] == "W" and alice[3 + 1] == "P" and alice[3 + 19] == "P*"  # Nov 1 Sun, Nov 2 Mon, Nov 20 Fri late
    assert alice[3 + 22] is None  # Nov 23: not processed yet
    assert alice[-5:] == (15, 0, 0, 3, 135.0)  # 15 days present, 3 Fridays late, 15 × 9 h
    assert by_name["Bob"][3 + 19] == "MC" and by_name["Hana HR"][-5:-3] == (0, 15)
    assert sheet.column_dimensions["B"].width == 26
    legend_rows = list(legend.iter_rows(values_only=True))
    assert legend.title == "Legend" and legend_rows[0] == ("Code", "Meaning")
    assert ("P", "present") in legend_rows and ("MC", "missing check-out") in legend_rows


async def test_the_timesheet_csv_and_its_languages(world: World):
    response = await world.client.get(
        f"{API}/reports/timesheet?month=2026-11&format=csv&department_id={world.company.department_id}",
        headers={**world.headers["readonly"], "Accept-Language": "ar"},
    )
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].endswith('filename="chronos-timesheet-2026-11.csv"')
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(table) == 5 and table[1][1] == "Alice" and table[1][3 + 4] == "P"
    assert not table[0][3].isascii()  # Arabic weekday names
    book = load_workbook(
        io.BytesIO(
            (
                await world.client.get(
                    f"{API}/reports/timesheet?month=2026-11", headers={**world.headers["hr"], "Accept-Language": "ar"}
                )
            ).content
        )
    )
    assert book.worksheets[0].sheet_view.rightToLeft
    for query, field in (("month=2026-13", "month"), ("month=26-11", "month"), ("month=2026-11&format=pdf", "format")):
        error = (await _get(world, f"/reports/timesheet?{query}", status=422))["error"]
        assert error["details"][0]["field"] == field, query
    empty = await world.client.get(
        f"{API}/reports/timesheet?month=2026-11&format=csv&department_id=999", headers=world.headers["hr"]
    )
    assert len(empty.content.decode("utf-8-sig").splitlines()) == 1
