"""Calendar feeds: secret, revocable iCalendar URLs of a person, a team (department) or the company.

A token is shown once and stored as a keyed hash (``shared.services.secrets``), like API tokens. A new link
of the same owner, scope and department replaces the previous one (it is revoked in the same transaction,
under a lock on the owner's row). A feed stops working when revoked or when its owner's access ends.

What a feed shows follows the privacy rules with its owner as the reader: the person's own feed has their
pending requests and leave types; a team or company feed shows approved absences as "away" unless the owner
may see the type (HR, the person's managers and approvers, public types). Rejected or cancelled requests
that had been shown stay as cancelled events for a while, so subscribed calendars remove them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.absences import (
    Absence,
    FeedEntry,
    feed_shows,
    holiday_uid,
    leave_entry,
    shift_uid,
)
from shared.domain.employment import has_access
from shared.domain.enums import FeedScope, LeaveStatus
from shared.errors import N_, Forbidden, Invalid, NotFound
from shared.i18n import Translator
from shared.model import CalendarFeed, Department, Employee, Holiday, HolidayCalendar, LeaveRequest, Shift
from shared.persistence.locks import lock_rows
from shared.reports.ical import feed_ics
from shared.services.absences.audience import HR_ROLES, absences_of
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.lookups import get_employee
from shared.services.org.people import reports_to
from shared.services.pagination import Page, paginate
from shared.services.secrets import keyed_hash, new_api_token

PAST_DAYS, FUTURE_DAYS, SHIFT_DAYS = 92, 400, 31
FEED_TOKEN_PREFIX = "cal_"
LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class FeedView:
    """A feed as listed (never its token)."""

    id: int
    owner_id: int
    scope: FeedScope
    department_id: int | None
    include_shifts: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def _may_manage(session: AsyncSession, actor: Actor, owner_id: int) -> bool:
    """HR, the CLI and jobs manage anyone's feeds; a person their own and their reports'."""
    if actor.is_hr or actor.employee_id is None or actor.employee_id == owner_id:
        return True
    return await reports_to(session, employee_id=owner_id, manager_id=actor.employee_id)


def feed_path(token: str) -> str:
    return f"/ical/{token}.ics"


def feed_url(base_url: str, token: str) -> str | None:
    return base_url.rstrip("/") + feed_path(token) if base_url else None


async def _team_department(session: AsyncSession, owner: Employee, department_id: int | None) -> int:
    chosen = department_id if department_id is not None else owner.department_id
    if chosen is None:
        raise Invalid(N_("You belong to no department, so there is no team feed; ask HR to set your department."))
    department = await session.get(Department, chosen)
    if department is None:
        raise NotFound(N_("Department {id} does not exist."), id=chosen)
    if owner.role not in HR_ROLES and chosen != owner.department_id and department.head_id != owner.id:
        raise Forbidden(N_("A team feed is for your own department or one you head."))
    return chosen


async def create_feed(
    session: AsyncSession,
    *,
    owner_id: int,
    scope: FeedScope | str,
    pepper: str,
    actor: Actor,
    now: datetime,
    department_id: int | None = None,
    include_shifts: bool = False,
) -> tuple[CalendarFeed, str]:
    """A new feed and its token (shown once); the owner's previous feed of the same kind is revoked."""
    try:
        scope = FeedScope(scope)
    except ValueError:
        raise Invalid(N_("A feed is for a person, a team or the company.")) from None
    if not await _may_manage(session, actor, owner_id):
        raise Forbidden(N_("Only HR or their managers can create a calendar feed for someone else."))
    await lock_rows(session, Employee, [owner_id])
    owner = await get_employee(session, owner_id)
    if not owner.active:
        raise Invalid(N_("Employee {code} is deactivated; a feed of theirs would not work."), code=owner.code)
    if scope is FeedScope.TEAM:
        department_id = await _team_department(session, owner, department_id)
    elif scope is FeedScope.COMPANY:
        if owner.role not in HR_ROLES:
            raise Forbidden(N_("The company feed is for HR."))
        department_id = None
    else:
        department_id = None
    if include_shifts and scope is not FeedScope.PERSON:
        raise Invalid(N_("Shifts can only be in a person's own feed."))
    previous = await session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.owner_id == owner_id,
            CalendarFeed.scope == scope,
            CalendarFeed.department_id.is_(None)
            if department_id is None
            else CalendarFeed.department_id == department_id,
            CalendarFeed.revoked_at.is_(None),
        )
    )
    for old in previous:
        old.revoked_at = now
        audit(session, actor, "revoke", "calendar_feed", old.id, new={"revoked_at": now, "reason": "replaced"})
    token = FEED_TOKEN_PREFIX + new_api_token().removeprefix("chr_")
    feed = CalendarFeed(
        token_hash=keyed_hash(token, pepper), owner_id=owner_id, scope=scope, department_id=department_id,
        include_shifts=include_shifts, created_at=now,
    )  # fmt: skip
    session.add(feed)
    await session.flush()
    audit(session, actor, "create", "calendar_feed", feed.id,
          new={"owner_id": owner_id, "scope": scope.value, "department_id": department_id,
               "include_shifts": include_shifts})  # fmt: skip
    return feed, token


def view(feed: CalendarFeed) -> FeedView:
    return FeedView(feed.id, feed.owner_id, feed.scope, feed.department_id, feed.include_shifts, feed.created_at,
                    feed.last_used_at, feed.revoked_at)  # fmt: skip


async def list_feeds(
    session: AsyncSession, *, limit: int, offset: int, owner_ids: set[int] | None = None, live: bool | None = None
) -> Page[CalendarFeed]:
    statement = select(CalendarFeed).order_by(CalendarFeed.id)
    if owner_ids is not None:
        statement = statement.where(CalendarFeed.owner_id.in_(sorted(owner_ids)))
    if live is True:
        statement = statement.where(CalendarFeed.revoked_at.is_(None))
    elif live is False:
        statement = statement.where(CalendarFeed.revoked_at.is_not(None))
    return await paginate(session, statement, limit=limit, offset=offset)


async def get_feed(session: AsyncSession, *, feed_id: int) -> CalendarFeed:
    feed = await session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound(N_("Calendar feed {id} does not exist."), id=feed_id)
    return feed


async def revoke_feed(session: AsyncSession, *, feed_id: int, actor: Actor, now: datetime) -> CalendarFeed:
    """Revoke a feed (its URL stops working at once); idempotent. Owners revoke their own, HR any."""
    feed = await get_feed(session, feed_id=feed_id)
    if not await _may_manage(session, actor, feed.owner_id):
        raise Forbidden(N_("Only HR or their managers can revoke someone else's calendar feed."))
    if feed.revoked_at is None:
        feed.revoked_at = now
        audit(session, actor, "revoke", "calendar_feed", feed.id, new={"revoked_at": now})
    return feed


async def revoke_own_feeds(session: AsyncSession, *, owner_id: int, actor: Actor, now: datetime) -> int:
    """Revoke every live feed of ``owner_id``; how many."""
    feeds = list(
        await session.scalars(
            select(CalendarFeed).where(CalendarFeed.owner_id == owner_id, CalendarFeed.revoked_at.is_(None))
        )
    )
    for feed in feeds:
        await revoke_feed(session, feed_id=feed.id, actor=actor, now=now)
    return len(feeds)


async def feed_for_token(session: AsyncSession, *, token: str, pepper: str, now: datetime) -> CalendarFeed | None:
    """The live feed of ``token``: None when unknown, revoked, or its owner's access has ended."""
    if not token.startswith(FEED_TOKEN_PREFIX) or len(token) > 100:
        return None
    feed = await session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == keyed_hash(token, pepper)))
    if feed is None or feed.revoked_at is not None:
        return None
    owner = await session.get(Employee, feed.owner_id)
    if owner is None or not has_access(owner.active, owner.leaving_date, now.date()):
        return None
    if not await _still_entitled(session, owner, feed):
        return None
    if feed.last_used_at is None or now - feed.last_used_at >= LAST_USED_RESOLUTION:
        feed.last_used_at = now
    return feed


async def _still_entitled(session: AsyncSession, owner: Employee, feed: CalendarFeed) -> bool:
    """A team feed needs its owner still in (or heading) the department, a company feed an HR owner: someone
    who moved to another department or role stops seeing what they no longer may."""
    if feed.scope is FeedScope.COMPANY:
        return owner.role in HR_ROLES
    if feed.scope is FeedScope.TEAM:
        if owner.role in HR_ROLES or owner.department_id == feed.department_id:
            return True
        department = await session.get(Department, feed.department_id)
        return department is not None and department.head_id == owner.id
    return True


async def owner_locale(session: AsyncSession, *, feed: CalendarFeed) -> str | None:
    owner = await session.get(Employee, feed.owner_id)
    return owner.locale if owner is not None else None


async def _subjects(session: AsyncSession, feed: CalendarFeed) -> dict[int, Employee]:
    query = select(Employee).where(Employee.active.is_(True))
    if feed.scope is FeedScope.PERSON:
        query = query.where(Employee.id == feed.owner_id)
    elif feed.scope is FeedScope.TEAM:
        query = query.where(Employee.department_id == feed.department_id)
    return {e.id: e for e in await session.scalars(query)}


def _summary(t: Translator, absence: Absence, name: str, own: bool) -> str:
    kind = absence.type_name or t("away")
    half = {"am": t("morning"), "pm": t("afternoon")}.get(
        absence.start_half.value if absence.start == absence.end and absence.start_half else ""
    )
    text = kind if own else t("{name} — {kind}", name=name, kind=kind)
    if half:
        text += f" ({half})"
    if absence.status is LeaveStatus.PENDING:
        text += " · " + t("waiting for approval")
    return text


async def feed_calendar(
    session: AsyncSession, *, feed: CalendarFeed, t: Translator, now: datetime, company_timezone: str, domain: str
) -> bytes:
    """The feed's iCalendar text (see the module docstring for what it shows to whom)."""
    owner = await get_employee(session, feed.owner_id)
    own = feed.scope is FeedScope.PERSON
    subjects = await _subjects(session, feed)
    today = now.astimezone(ZoneInfo(owner.timezone or company_timezone)).date()
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    statuses = tuple(LeaveStatus) if own else (LeaveStatus.APPROVED, LeaveStatus.CANCELLED)
    found = await absences_of(
        session, employee_ids=sorted(subjects), start=start, end=end, viewer=owner, statuses=statuses,
        locale=t.locale,
    )  # fmt: skip
    versions = dict(
        (await session.execute(select(LeaveRequest.id, LeaveRequest.version).where(
            LeaveRequest.id.in_([a.request_id for a in found])
        ))).all()
    ) if found else {}  # fmt: skip
    entries = [
        leave_entry(a, summary=_summary(t, a, subjects[a.employee_id].full_name, own), domain=domain,
                    sequence=versions.get(a.request_id, 1))
        for a in found
        if feed_shows(a, own=own)
    ]  # fmt: skip
    entries += await _holiday_entries(session, t, subjects.values(), feed.scope, start, end, domain)
    if own and feed.include_shifts:
        entries += await _shift_entries(session, owner, found, today, company_timezone, domain)
    names = {FeedScope.PERSON: owner.full_name, FeedScope.COMPANY: t("Company absences")}
    if feed.scope is FeedScope.TEAM:
        department = await session.get(Department, feed.department_id)
        title = department.name_for(t.locale) if department else t("Team")
    else:
        title = names[feed.scope]
    return feed_ics(entries, name=title, now=now, timezone=owner.timezone or company_timezone)


async def _holiday_entries(
    session: AsyncSession,
    t: Translator,
    people: Iterable[Employee],
    scope: FeedScope,
    start: date,
    end: date,
    domain: str,
) -> list[FeedEntry]:
    calendar_ids = {p.holiday_calendar_id for p in people if p.holiday_calendar_id is not None}
    query = (
        select(Holiday, HolidayCalendar.name)
        .join(HolidayCalendar, HolidayCalendar.id == Holiday.calendar_id)
        .where(Holiday.date.between(start, end))
        .order_by(Holiday.date, Holiday.id)
    )
    if scope is not FeedScope.COMPANY:
        if not calendar_ids:
            return []
        query = query.where(Holiday.calendar_id.in_(sorted(calendar_ids)))
    many = len(calendar_ids) > 1 or scope is FeedScope.COMPANY
    return [
        FeedEntry(holiday_uid(h.id, domain), t("Holiday: {name}", name=f"{h.name} ({calendar})" if many else h.name),
                  h.date, h.date + timedelta(days=1))
        for h, calendar in (await session.execute(query)).all()
    ]  # fmt: skip


async def _shift_entries(
    session: AsyncSession, owner: Employee, absences: list[Absence], today: date, company_timezone: str, domain: str
) -> list[FeedEntry]:
    """The owner's shifts of the coming weeks: working days of their week, not holidays or approved leave."""
    shift = await session.get(Shift, owner.shift_id) if owner.shift_id else None
    if shift is None:
        return []
    zone = ZoneInfo(owner.timezone or company_timezone)
    last = today + timedelta(days=SHIFT_DAYS)
    holidays = set()
    if owner.holiday_calendar_id is not None:
        holidays = set(await session.scalars(select(Holiday.date).where(
            Holiday.calendar_id == owner.holiday_calendar_id, Holiday.date.between(today, last)
        )))  # fmt: skip
    away = {
        today + timedelta(days=i)
        for a in absences
        if a.status is LeaveStatus.APPROVED and a.hours is None  # hours off leave the shift in place
        for i in range(SHIFT_DAYS + 1)
        if a.start <= today + timedelta(days=i) <= a.end
    }
    entries = []
    for offset in range(SHIFT_DAYS + 1):
        day = today + timedelta(days=offset)
        if str(day.isoweekday()) not in (owner.work_week or "12345") or day in holidays or day in away:
            continue
        starts = datetime.combine(day, shift.start_time, zone)
        ends = datetime.combine(day + timedelta(days=1 if shift.end_time <= shift.start_time else 0),
                                shift.end_time, zone)  # fmt: skip
        entries.append(FeedEntry(shift_uid(owner.id, day, domain), shift.name, day, day + timedelta(days=1),
                                 starts_at=starts, ends_at=ends))  # fmt: skip
    return entries
