"""``/ical/<token>.ics``: a calendar feed for calendar apps. The secret token in the URL is the credential
(apps cannot send a header); an unknown, revoked or dead token is a 404 that tells nothing more."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import DatabaseDep, NowDep, SettingsDep
from api.schemas.common import ERRORS
from shared.errors import N_, NotFound
from shared.i18n import translator
from shared.services.absences import feeds as service

router = APIRouter(tags=["calendar feeds"], responses=ERRORS)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


@router.get(
    "/ical/{token}.ics",
    summary="A calendar feed (iCalendar), authorised by the secret token in its URL",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "RFC 5545 calendar"}},
)
async def feed(token: str, db: DatabaseDep, settings: SettingsDep, now: NowDep) -> Response:
    async with db.transaction() as session:
        found = await service.feed_for_token(session, token=token, pepper=settings.secret_key, now=now)
        if found is None:
            raise NotFound(N_("This calendar link does not exist or was revoked."))
        owner_locale = await service.owner_locale(session, feed=found)
        body = await service.feed_calendar(
            session,
            feed=found,
            t=translator(owner_locale or settings.default_locale),
            now=now,
            company_timezone=settings.company_timezone,
            domain=settings.feed_domain,
        )
    return Response(body, media_type=CALENDAR_TYPE, headers={"Cache-Control": "private, max-age=300"})
