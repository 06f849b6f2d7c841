"""A small company for service tests: a department with a head, a manager, two employees, HR, shifts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from shared.domain.enums import Accrual, HoursMode, Role
from shared.model import Department, Device, Employee, Holiday, HolidayCalendar, LeaveType, Shift
from shared.persistence import Database
from shared.services.actor import Actor


@dataclass
class Company:
    department_id: int
    calendar_id: int
    day_shift_id: int
    night_shift_id: int
    annual_id: int
    sick_id: int
    free_id: int
    hr_id: int
    manager_id: int
    alice_id: int
    bob_id: int

    def actor(self, employee_id: int, role: Role = Role.EMPLOYEE) -> Actor:
        return Actor.for_employee(employee_id, role)

    @property
    def alice(self) -> Actor:
        return self.actor(self.alice_id)

    @property
    def bob(self) -> Actor:
        return self.actor(self.bob_id)

    @property
    def manager(self) -> Actor:
        return self.actor(self.manager_id, Role.MANAGER)

    @property
    def hr(self) -> Actor:
        return self.actor(self.hr_id, Role.HR)


async def make_company(db: Database, *, holidays: tuple[date, ...] = (date(2026, 12, 25),)) -> Company:
    async with db.transaction() as s:
        calendar = HolidayCalendar(name="Test", country="DE")
        day = Shift(name="Day", start_time=time(9), end_time=time(18), late_grace_minutes=10, early_grace_minutes=10)
        night = Shift(name="Night", start_time=time(22), end_time=time(6), hours_mode=HoursMode.PAIRS)
        annual = LeaveType(
            code="ANNUAL",
            name="Annual leave",
            yearly_allowance=Decimal(20),
            accrual=Accrual.YEARLY,
            min_notice_days=0,
            approval_required=True,
        )
        sick = LeaveType(
            code="SICK",
            name="Sick leave",
            yearly_allowance=Decimal(10),
            accrual=Accrual.YEARLY,
            attachment_required=True,
            negative_allowed=True,
            backdate_days=5,
        )
        free = LeaveType(
            code="FREE", name="Day off", yearly_allowance=Decimal(3), accrual=Accrual.YEARLY, approval_required=False
        )
        dept = Department(name="Ops")
        s.add_all([calendar, day, night, annual, sick, free, dept])
        await s.flush()
        s.add_all([Holiday(calendar_id=calendar.id, date=d, name="Holiday") for d in holidays])

        def person(code: str, name: str, role: Role, tg: int, locale: str = "en") -> Employee:
            return Employee(
                code=code,
                full_name=name,
                role=role,
                telegram_user_id=tg,
                locale=locale,
                department_id=dept.id,
                shift_id=day.id,
                holiday_calendar_id=calendar.id,
                timezone="Europe/Berlin",
                hire_date=date(2020, 1, 1),
            )

        hr = person("HR1", "Hana HR", Role.HR, 9001)
        manager = person("M1", "Max Manager", Role.MANAGER, 9002)
        s.add_all([hr, manager])
        await s.flush()
        alice = person("A1", "Alice", Role.EMPLOYEE, 9003, "ru")
        bob = person("B1", "Bob", Role.EMPLOYEE, 9004)
        alice.manager_id = bob.manager_id = manager.id
        manager.manager_id = hr.id
        s.add_all([alice, bob])
        await s.flush()
        dept.head_id = manager.id
        return Company(
            dept.id, calendar.id, day.id, night.id, annual.id, sick.id, free.id, hr.id, manager.id, alice.id, bob.id
        )


async def make_device_and_person(db: Database) -> tuple[int, int]:
    """A device "Gate" and an employee "Eve" (no department): their ids."""
    async with db.transaction() as s:
        device, person = Device(name="Gate", host="10.0.0.1"), Employee(code="E1", full_name="Eve")
        s.add_all([device, person])
        await s.flush()
        return device.id, person.id
