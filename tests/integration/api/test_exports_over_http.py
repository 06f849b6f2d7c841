"""The timesheet downloads are data, never code: a hostile name or department comes back as text."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from shared.model import Department, Employee
from shared.persistence import Database
from tests.factories import Company

NAME = '=HYPERLINK("http://x","y")'
DEPARTMENT = "@SUM(A1)"


async def test_the_timesheet_xlsx_and_csv_keep_hostile_text_as_text(client, staff, db: Database, company: Company):
    async with db.transaction() as s:
        (await s.get(Employee, company.alice_id)).full_name = NAME
        (await s.get(Department, company.department_id)).name = DEPARTMENT
    xlsx = await client.get("/api/v1/reports/timesheet", params={"month": "2026-11"}, headers=staff["hr"])
    assert xlsx.status_code == 200, xlsx.text
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value in (NAME, DEPARTMENT)}
    assert cells == {NAME: "s", DEPARTMENT: "s"}
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    text = await client.get(
        "/api/v1/reports/timesheet", params={"month": "2026-11", "format": "csv"}, headers=staff["hr"]
    )
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    alice = next(r for r in rows if r[1].endswith(NAME))
    assert alice[1] == "'" + NAME and alice[2] == "'" + DEPARTMENT
