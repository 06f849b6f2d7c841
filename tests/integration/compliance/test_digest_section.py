"""The digest loads the open violations touching its day, with the people's names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.model import ComplianceViolation
from shared.persistence import Database
from shared.services.notify.digest import load_digest
from tests.factories import make_company

DAY = date(2026, 11, 17)


async def test_the_digest_lists_open_violations_of_its_day_and_leaves_acknowledged_ones_out(db: Database):
    company = await make_company(db)
    async with db.transaction() as s:
        for who, start, end, acknowledged in (
            (company.alice_id, DAY, DAY, None),
            (company.bob_id, date(2026, 11, 11), DAY, None),  # a run of days ending on the digest day
            (company.manager_id, DAY, DAY, datetime(2026, 11, 18, tzinfo=UTC)),  # HR already saw it
            (company.hr_id, date(2026, 11, 16), date(2026, 11, 16), None),  # another day
        ):
            s.add(
                ComplianceViolation(
                    employee_id=who, rule="break", period_start=start, period_end=end, limit_value=360, actual=400,
                    excess=40, unit="minutes", acknowledged_at=acknowledged,
                )
            )  # fmt: skip
    async with db.session() as s:
        digest = await load_digest(
            s, day=DAY, today=date(2026, 11, 18), company_timezone="Europe/Berlin",
            now=datetime(2026, 11, 18, 7, tzinfo=UTC),
        )  # fmt: skip
    assert [(v.full_name, v.department_name, v.period_start) for v in digest.violations] == [
        ("Alice", "Ops", DAY),
        ("Bob", "Ops", date(2026, 11, 11)),
    ]
