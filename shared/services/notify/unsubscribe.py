"""The digest e-mail's unsubscribe link: signed, stateless, for one person.

The token is ``<employee id>.<signature>`` (a keyed hash of the id with API_SECRET_KEY), so it needs no table
and works for every digest mail of that person. It is not single use (RFC 8058 one-click unsubscribe may be
posted more than once); unsubscribing twice changes nothing. The API's GET shows a confirmation form, and
only a POST (the form, or a mail client's ``List-Unsubscribe=One-Click``) turns ``employees.digest_email``
off. The person keeps receiving the digest in Telegram, if linked; HR turns the e-mail copy on again through
the API (``PATCH /employees/{id}``, ``digest_email``).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.ids import parse_id
from shared.errors import N_, NotFound
from shared.model import Employee
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.reach import locale_of
from shared.services.secrets import keyed_hash


def _signature(employee_id: int) -> str:
    return keyed_hash(f"unsubscribe:digest:{employee_id}", get_settings().secret_key)[:32]


def unsubscribe_token(employee_id: int) -> str:
    return f"{employee_id}.{_signature(employee_id)}"


def unsubscribe_url(employee_id: int) -> str:
    return f"{get_settings().mail_link_base}/mail/unsubscribe/{unsubscribe_token(employee_id)}"


@dataclass(frozen=True)
class Subscriber:
    employee_id: int
    locale: str
    email: str | None
    subscribed: bool


async def _person(session: AsyncSession, token: str) -> Employee:
    raw_id, _, signature = token.partition(".")
    employee_id = parse_id(raw_id)
    if employee_id is None or not hmac.compare_digest(_signature(employee_id), signature):
        raise NotFound(N_("This link is not valid."))
    person = await session.get(Employee, employee_id)
    if person is None:
        raise NotFound(N_("This link is not valid."))
    return person


async def read_subscription(session: AsyncSession, *, token: str) -> Subscriber:
    person = await _person(session, token)
    return Subscriber(person.id, locale_of(person), person.email, person.digest_email)


async def unsubscribe_digest(session: AsyncSession, *, token: str) -> Subscriber:
    """Turn the digest e-mail off for the link's person (idempotent; audited when it changes)."""
    person = await _person(session, token)
    if person.digest_email:
        person.digest_email = False
        actor = Actor(label=f"email:{person.id}", employee_id=person.id, role=person.role)
        audit(session, actor, "unsubscribe", "employee", person.id, old={"digest_email": True},
              new={"digest_email": False})  # fmt: skip
    return Subscriber(person.id, locale_of(person), person.email, person.digest_email)
