"""The demo company: three departments, 25 people with managers and HR, day and night shifts,
five leave types (one is time off in lieu, credited by approved overtime) and a country's public holidays
for this year and the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Accrual, HoursMode, Role
from shared.errors import N_, Conflict
from shared.model import Department, Employee, HolidayCalendar, LeaveType, Office, Shift
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.org.holidays import import_holidays

COUNTRY = "DE"
SUBDIVISION = "BE"

# code, name, department, manager code, role, locale, shift
PEOPLE: list[tuple[str, str, str, str | None, Role, str, str]] = [
    ("E001", "Anna Schmidt", "People & Finance", None, Role.ADMIN, "en", "Day"),
    ("E002", "Olga Ivanova", "People & Finance", "E001", Role.HR, "ru", "Day"),
    ("E003", "Karim Haddad", "People & Finance", "E001", Role.HR, "ar", "Day"),
    ("E004", "Lukas Weber", "Engineering", "E001", Role.MANAGER, "en", "Day"),
    ("E005", "Maria Petrova", "Engineering", "E004", Role.EMPLOYEE, "ru", "Day"),
    ("E006", "Jonas Becker", "Engineering", "E004", Role.EMPLOYEE, "en", "Day"),
    ("E007", "Layla Mansour", "Engineering", "E004", Role.EMPLOYEE, "ar", "Day"),
    ("E008", "Sophie Wagner", "Engineering", "E004", Role.EMPLOYEE, "en", "Day"),
    ("E009", "Dmitry Sokolov", "Engineering", "E004", Role.EMPLOYEE, "ru", "Day"),
    ("E010", "Noah Fischer", "Engineering", "E004", Role.EMPLOYEE, "en", "Day"),
    ("E011", "Emma Hoffmann", "Engineering", "E004", Role.EMPLOYEE, "en", "Day"),
    ("E012", "Omar Khalil", "Engineering", "E004", Role.EMPLOYEE, "ar", "Day"),
    ("E013", "Elena Smirnova", "Warehouse", "E001", Role.MANAGER, "ru", "Day"),
    ("E014", "Paul Schulz", "Warehouse", "E013", Role.EMPLOYEE, "en", "Day"),
    ("E015", "Youssef Nasser", "Warehouse", "E013", Role.EMPLOYEE, "ar", "Night"),
    ("E016", "Mia Koch", "Warehouse", "E013", Role.EMPLOYEE, "en", "Day"),
    ("E017", "Ivan Kuznetsov", "Warehouse", "E013", Role.EMPLOYEE, "ru", "Night"),
    ("E018", "Lea Richter", "Warehouse", "E013", Role.EMPLOYEE, "en", "Day"),
    ("E019", "Hassan Saleh", "Warehouse", "E013", Role.EMPLOYEE, "ar", "Night"),
    ("E020", "Felix Klein", "Warehouse", "E013", Role.EMPLOYEE, "en", "Day"),
    ("E021", "Natalia Volkova", "Warehouse", "E013", Role.EMPLOYEE, "ru", "Night"),
    ("E022", "Ben Wolf", "Warehouse", "E013", Role.EMPLOYEE, "en", "Day"),
    ("E023", "Sara Aziz", "Warehouse", "E013", Role.EMPLOYEE, "ar", "Day"),
    ("E024", "Tim Neumann", "Warehouse", "E013", Role.EMPLOYEE, "en", "Night"),
    ("E025", "Hannah Braun", "Engineering", "E004", Role.EMPLOYEE, "en", "Day"),
]
HEADS = {"People & Finance": "E001", "Engineering": "E004", "Warehouse": "E013"}


def leave_types() -> list[LeaveType]:
    return [
        LeaveType(
            code="ANNUAL",
            name="Annual leave",
            paid=True,
            yearly_allowance=Decimal(24),
            accrual=Accrual.MONTHLY,
            accrual_rounding=Decimal("0.5"),
            carry_over_cap=Decimal(5),
            carry_over_expiry_months=3,
            min_notice_days=3,
            max_consecutive_days=20,
            half_days_allowed=True,
            negative_allowed=False,
            approval_required=True,
            attachment_required=False,
            backdate_days=0,
        ),
        LeaveType(
            code="SICK",
            name="Sick leave",
            paid=True,
            yearly_allowance=Decimal(15),
            accrual=Accrual.YEARLY,
            accrual_rounding=Decimal(0),
            carry_over_cap=Decimal(0),
            min_notice_days=0,
            half_days_allowed=True,
            negative_allowed=True,
            approval_required=True,
            attachment_required=True,
            backdate_days=5,
        ),
        LeaveType(
            code="UNPAID",
            name="Unpaid leave",
            paid=False,
            yearly_allowance=Decimal(0),
            accrual=Accrual.NONE,
            accrual_rounding=Decimal(0),
            min_notice_days=7,
            max_consecutive_days=30,
            half_days_allowed=False,
            negative_allowed=True,
            approval_required=True,
        ),
        LeaveType(
            code="STUDY",
            name="Study leave",
            paid=True,
            yearly_allowance=Decimal(5),
            accrual=Accrual.YEARLY,
            accrual_rounding=Decimal("0.5"),
            carry_over_cap=Decimal(0),
            min_notice_days=1,
            half_days_allowed=True,
            negative_allowed=False,
            approval_required=False,
        ),
        LeaveType(
            code="TOIL",
            name="Time off in lieu",
            paid=True,
            yearly_allowance=Decimal(0),
            accrual=Accrual.NONE,
            accrual_rounding=Decimal(0),
            carry_over_cap=Decimal(0),
            min_notice_days=1,
            half_days_allowed=True,
            negative_allowed=False,
            approval_required=True,
        ),
    ]


@dataclass
class DemoSummary:
    departments: dict[str, str] = field(default_factory=dict)  # name -> head name
    roles: dict[str, int] = field(default_factory=dict)
    shifts: list[str] = field(default_factory=list)
    leave_types: list[str] = field(default_factory=list)
    holidays: int = 0
    people: list[tuple[str, str, str, str]] = field(default_factory=list)  # code, name, role, department


async def seed_demo(session: AsyncSession, *, today: date, actor: Actor | None = None) -> DemoSummary:
    """Create the demo company in an empty database (refuses to touch one that has employees)."""
    actor = actor or Actor.system("demo-seed")
    if await session.scalar(select(func.count(Employee.id))):
        raise Conflict(N_("The database already has employees; seed the demo into an empty database."))
    day = Shift(
        name="Day",
        start_time=time(9),
        end_time=time(18),
        late_grace_minutes=10,
        early_grace_minutes=10,
        half_day_hours=Decimal(4),
        absent_hours=Decimal(1),
        checkin_before_minutes=120,
        checkout_after_minutes=240,
        hours_mode=HoursMode.FIRST_LAST,
    )
    night = Shift(
        name="Night",
        start_time=time(22),
        end_time=time(6),
        late_grace_minutes=10,
        early_grace_minutes=10,
        half_day_hours=Decimal(4),
        absent_hours=Decimal(1),
        checkin_before_minutes=120,
        checkout_after_minutes=180,
        hours_mode=HoursMode.PAIRS,
    )
    office = Office(name="Berlin HQ", timezone="Europe/Berlin", latitude=52.5200, longitude=13.4050, radius_m=300)
    calendar = HolidayCalendar(name=f"{COUNTRY}-{SUBDIVISION}", country=COUNTRY, subdivision=SUBDIVISION)
    types = leave_types()
    session.add_all([day, night, office, calendar, *types])
    departments = {name: Department(name=name, max_absent_share=Decimal("0.5")) for name in HEADS}
    session.add_all(departments.values())
    await session.flush()
    shifts = {"Day": day.id, "Night": night.id}
    people: dict[str, Employee] = {}
    for index, (code, name, dept, _manager, role, locale, shift) in enumerate(PEOPLE, 1):
        first, last = name.lower().split(" ", 1)
        people[code] = Employee(
            code=code,
            full_name=name,
            email=f"{first}.{last.replace(' ', '')}@example.com",
            phone=f"+49 30 5550{index:03d}",
            department_id=departments[dept].id,
            role=role,
            locale=locale,
            timezone="Europe/Berlin",
            shift_id=shifts[shift],
            office_id=office.id,
            holiday_calendar_id=calendar.id,
            work_week="12345",
            hire_date=date(today.year - 1 - index % 4, 1 + index % 12, 1 + index % 27),
            device_user_id=str(index),
        )
    session.add_all(people.values())
    await session.flush()
    for code, _name, _dept, manager, *_ in PEOPLE:
        people[code].manager_id = people[manager].id if manager else None
    for dept_name, head in HEADS.items():
        departments[dept_name].head_id = people[head].id
    await session.flush()
    audit(session, actor, "seed", "demo", None, new={"employees": len(people), "today": today.isoformat()})
    holidays = 0
    for year in (today.year, today.year + 1):
        result = await import_holidays(session, calendar_id=calendar.id, year=year, actor=actor)
        holidays += result.added
    summary = DemoSummary(
        departments={name: people[head].full_name for name, head in HEADS.items()},
        shifts=["Day 09:00–18:00", "Night 22:00–06:00"],
        leave_types=[f"{t.code} ({t.name})" for t in types],
        holidays=holidays,
        people=[(c, n, r.value, d) for c, n, d, _m, r, _l, _s in PEOPLE],
    )
    for _c, _n, role, _d in summary.people:
        summary.roles[role] = summary.roles.get(role, 0) + 1
    return summary
