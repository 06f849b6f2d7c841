"""Calendar feeds: list, create (the secret URL is shown once), revoke (effective at once)."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.access import Caller, EmployeeAccessDep
from api.deps import DatabaseDep, IdPath, NowDep, PageDep, SettingsDep
from api.schemas.calendar_feeds import FeedCreate, FeedCreated, FeedOut
from api.schemas.common import ERRORS, Page
from shared.services.absences import feeds as service

router = APIRouter(prefix="/calendar-feeds", tags=["calendar feeds"], responses=ERRORS)


@router.get("", summary="List calendar feeds (never their secrets)")
async def list_feeds(
    access: EmployeeAccessDep, db: DatabaseDep, page: PageDep, live: bool | None = None
) -> Page[FeedOut]:
    owners = await access.visible_ids()
    async with db.session() as session:
        found = await service.list_feeds(session, limit=page.limit, offset=page.offset, owner_ids=owners, live=live)
        return Page[FeedOut].of(found, FeedOut.model_validate)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a calendar feed",
    description="The token and URL are in this answer only. A new feed of the same owner, scope and department "
    "replaces the previous one. Team feeds are for the owner's department (or one they head; HR any); the company "
    "feed is for HR owners. What a feed shows follows the owner's view: the type of leave only where they may "
    "see it.",
)
async def create_feed(
    body: FeedCreate, principal: Caller, access: EmployeeAccessDep, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> FeedCreated:
    await access.ensure(body.owner_id)
    async with db.transaction() as session:
        feed, token = await service.create_feed(
            session,
            owner_id=body.owner_id,
            scope=body.scope,
            department_id=body.department_id,
            include_shifts=body.include_shifts,
            pepper=settings.secret_key,
            actor=principal.actor,
            now=now,
        )
        out = FeedOut.model_validate(feed)
    return FeedCreated(
        **out.model_dump(),
        token=token,
        path=service.feed_path(token),
        url=service.feed_url(settings.public_base_url, token),
    )


@router.post("/{feed_id}/revoke", summary="Revoke a calendar feed; its URL stops working immediately (idempotent)")
async def revoke_feed(
    feed_id: IdPath, principal: Caller, access: EmployeeAccessDep, db: DatabaseDep, now: NowDep
) -> FeedOut:
    async with db.transaction() as session:
        feed = await service.get_feed(session, feed_id=feed_id)
        await access.ensure(feed.owner_id)
        feed = await service.revoke_feed(session, feed_id=feed_id, actor=principal.actor, now=now)
        return FeedOut.model_validate(feed)
