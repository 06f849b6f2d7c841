"""Telegram groups linked to a department, and what the bot posts there.

An administrator of the group who is also HR, or the head or a manager of the department, links it with
``/linkgroup <department>`` (the bot asks Telegram whether the person administers the group). Each working
morning the bot posts who of the department is away today and later this week; with GROUP_POST_APPROVALS
it also posts new approvals as they come. Posts show names, dates, half days and the hours of hourly leave
(in the linker's time zone) only: never the type of
leave, never pending requests (the group is a room of teammates, ``shared.domain.privacy``).

Posting is exactly once per group and day: the post is queued in the outbox in the transaction that moves
``last_posted_on`` to today with a conditional UPDATE; approvals move ``approvals_seen_at`` the same way.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.absences import Absence
from shared.domain.enums import LeaveStatus, Role
from shared.domain.periods import week_of
from shared.errors import N_, Forbidden, NotFound
from shared.i18n import Translator, translator
from shared.model import Department, Employee, GroupChat, LeaveRequest
from shared.notify.outbox import enqueue_message
from shared.services.absences.audience import HR_ROLES, absences_of
from shared.services.absences.calendar import holidays_by_calendar
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.texts import absence_when

NOT_ADMIN = N_("Only an administrator of this group can link it to a department.")
NOT_THEIRS = N_("Only HR, or the head or a manager of {department}, can link a group to it.")
NO_SUCH_DEPARTMENT = N_("There is no department called {name}. Departments: {names}.")
NOT_LINKED = N_("This group is not linked to a department.")
LIST_LIMIT = 40


@dataclass(frozen=True)
class Linked:
    group: GroupChat
    department: Department
    relinked: bool


async def find_department(session: AsyncSession, *, name: str) -> Department:
    """A department by its name (any case) or its id."""
    text = " ".join(name.split())
    found = None
    if text.isdigit() and len(text) < 10:
        found = await session.get(Department, int(text))
    if found is None and text:
        found = await session.scalar(select(Department).where(func.lower(Department.name) == text.lower()))
    if found is None:
        names = ", ".join(await session.scalars(select(Department.name).order_by(Department.name).limit(20)))
        raise NotFound(NO_SUCH_DEPARTMENT, name=text or "—", names=names or "—")
    return found


def may_link(person: Employee, department: Department) -> bool:
    """HR and admin link any department; the head links theirs; a manager links the one they work in."""
    if person.role in HR_ROLES or department.head_id == person.id:
        return True
    return person.role is Role.MANAGER and person.department_id == department.id


async def link_group(
    session: AsyncSession,
    *,
    chat_id: int,
    title: str,
    department_name: str,
    person: Employee,
    is_chat_admin: bool,
    actor: Actor,
    now: datetime,
) -> Linked:
    """Link (or re-link) the group ``chat_id`` to a department; audited."""
    if not is_chat_admin:
        raise Forbidden(NOT_ADMIN)
    department = await find_department(session, name=department_name)
    if not may_link(person, department):
        raise Forbidden(NOT_THEIRS, department=department.name)
    existing = await session.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
    if existing is None:
        try:
            async with session.begin_nested():
                existing = GroupChat(chat_id=chat_id, title=title[:255], department_id=department.id,
                                     linked_by_id=person.id, linked_at=now, approvals_seen_at=now)  # fmt: skip
                session.add(existing)
        except IntegrityError:  # linked at the same moment by someone else: this link wins, as a re-link
            existing = await session.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
        else:
            audit(session, actor, "link", "group_chat", chat_id, new={"department_id": department.id, "title": title})
            return Linked(existing, department, False)
    assert existing is not None
    old = {"department_id": existing.department_id, "title": existing.title}
    existing.department_id, existing.title, existing.linked_by_id = department.id, title[:255], person.id
    audit(session, actor, "link", "group_chat", chat_id, old=old,
          new={"department_id": department.id, "title": title[:255]})  # fmt: skip
    return Linked(existing, department, True)


async def unlink_group(
    session: AsyncSession, *, chat_id: int, person: Employee, is_chat_admin: bool, actor: Actor
) -> Department:
    """Stop posting to the group; the department it was linked to."""
    if not is_chat_admin:
        raise Forbidden(NOT_ADMIN)
    group = await session.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
    if group is None:
        raise NotFound(NOT_LINKED)
    department = await session.get(Department, group.department_id)
    assert department is not None
    if not may_link(person, department):
        raise Forbidden(NOT_THEIRS, department=department.name)
    await session.delete(group)
    await session.flush()
    audit(session, actor, "unlink", "group_chat", chat_id, old={"department_id": department.id})
    return department


async def _locale(session: AsyncSession, group: GroupChat, default_locale: str) -> Translator:
    linker = await session.get(Employee, group.linked_by_id) if group.linked_by_id else None
    return translator((linker.locale if linker else None) or default_locale)


def _line(t: Translator, name: str, absence: Absence, tz: str | None) -> str:
    when = absence_when(t, start=absence.start, end=absence.end, start_half=absence.start_half,
                        end_half=absence.end_half, hours=absence.hours, tz=tz)  # fmt: skip
    return f"• {html.escape(name)} — {when}"


async def _zone(session: AsyncSession, group: GroupChat, company_timezone: str) -> str:
    """The zone hourly leave is told in: the linker's (whose language the group reads), else the company's."""
    linker = await session.get(Employee, group.linked_by_id) if group.linked_by_id else None
    return (linker.timezone if linker else None) or company_timezone


async def morning_text(
    session: AsyncSession, *, group: GroupChat, today: date, t: Translator, company_timezone: str = "UTC"
) -> str | None:
    """Who of the group's department is away today and later this week (hourly leave with its hours); None on
    a day nobody works."""
    members = list(await session.scalars(
        select(Employee).where(Employee.department_id == group.department_id, Employee.active.is_(True))
        .order_by(Employee.full_name, Employee.id)
    ))  # fmt: skip
    calendars = {m.holiday_calendar_id for m in members if m.holiday_calendar_id is not None}
    holidays = await holidays_by_calendar(session, calendar_ids=calendars, start=today, end=today)
    weekday = str(today.isoweekday())
    working = [
        m
        for m in members
        if weekday in (m.work_week or "12345") and today not in holidays.get(m.holiday_calendar_id or -1, {})
    ]
    if not working:
        return None
    _, sunday = week_of(today)
    names = {m.id: m.full_name for m in members}
    found = await absences_of(session, employee_ids=list(names), start=today, end=sunday, viewer=None,
                              statuses=(LeaveStatus.APPROVED,))  # fmt: skip
    now_away = [a for a in found if a.start <= today <= a.end]
    later = [a for a in found if a.start > today]
    department = await session.get(Department, group.department_id)
    title = html.escape(department.name_for(t.locale) if department else "")
    tz = await _zone(session, group, company_timezone)
    lines = [t("☀️ <b>{department}: who is away</b> — {day}", department=title, day=t.format_date(today, "full"))]
    lines += ["", "<b>" + t("Today") + "</b>"]
    lines += [_line(t, names[a.employee_id], a, tz) for a in now_away[:LIST_LIMIT]] or [t("Everyone is in.")]
    if later:
        lines += ["", "<b>" + t("Later this week") + "</b>"]
        lines += [_line(t, names[a.employee_id], a, tz) for a in later[:LIST_LIMIT]]
    return "\n".join(lines)


async def post_mornings(
    session: AsyncSession, *, today: date, default_locale: str, company_timezone: str = "UTC"
) -> tuple[int, int]:
    """Queue today's post for every linked group not posted to yet; (posted, quiet days skipped)."""
    posted = quiet = 0
    groups = list(await session.scalars(select(GroupChat).order_by(GroupChat.id)))
    for group in groups:
        if group.last_posted_on is not None and group.last_posted_on >= today:
            continue
        t = await _locale(session, group, default_locale)
        text = await morning_text(session, group=group, today=today, t=t, company_timezone=company_timezone)
        claimed = await session.execute(
            update(GroupChat)
            .where(GroupChat.id == group.id)
            .where((GroupChat.last_posted_on.is_(None)) | (GroupChat.last_posted_on < today))
            .values(last_posted_on=today)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another run posted it meanwhile
        if text is None:
            quiet += 1
            continue
        enqueue_message(session, chat_id=group.chat_id, text=text, ref=f"group:{group.chat_id}:{today:%Y%m%d}")
        posted += 1
    return posted, quiet


async def post_approvals(
    session: AsyncSession, *, now: datetime, default_locale: str, company_timezone: str = "UTC"
) -> int:
    """Queue one message per group with the leave of its department approved since the last one; how many."""
    posted = 0
    for group in list(await session.scalars(select(GroupChat).order_by(GroupChat.id))):
        since = group.approvals_seen_at or group.linked_at
        rows = (await session.execute(
            select(LeaveRequest, Employee.full_name)
            .join(Employee, Employee.id == LeaveRequest.employee_id)
            .where(Employee.department_id == group.department_id, LeaveRequest.status == LeaveStatus.APPROVED,
                   LeaveRequest.decided_at > since, LeaveRequest.decided_at <= now,
                   LeaveRequest.end_date >= (now - timedelta(days=1)).date())
            .order_by(LeaveRequest.decided_at, LeaveRequest.id)
        )).all()  # fmt: skip
        claimed = await session.execute(
            update(GroupChat)
            .where(GroupChat.id == group.id)
            .where(GroupChat.approvals_seen_at.is_(None) | (GroupChat.approvals_seen_at == since))
            .values(approvals_seen_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if claimed.rowcount != 1 or not rows:  # type: ignore[attr-defined]
            continue
        t = await _locale(session, group, default_locale)
        tz = await _zone(session, group, company_timezone)
        lines = [t("✅ <b>Newly approved leave</b>")]
        for request, name in rows[:LIST_LIMIT]:
            absence = Absence(request.id, request.employee_id, request.start_date, request.end_date,
                              request.start_half, request.end_half, request.status, None,
                              starts_at=request.start_at, ends_at=request.end_at)  # fmt: skip
            lines.append(_line(t, name, absence, tz))
        enqueue_message(session, chat_id=group.chat_id, text="\n".join(lines),
                        ref=f"group:{group.chat_id}:approved:{int(now.timestamp())}")  # fmt: skip
        posted += 1
    return posted
