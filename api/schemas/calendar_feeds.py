"""Calendar feeds: the token (and its URL) is in the answer to the create call and nowhere else."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from api.schemas.common import DbId, Out, Strict
from shared.domain.enums import FeedScope


class FeedCreate(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"owner_id": 7, "scope": "person", "include_shifts": True},
                {"owner_id": 7, "scope": "team"},
                {"owner_id": 2, "scope": "company"},
            ]
        }
    }

    owner_id: DbId = Field(description="Whose feed: what it shows follows this person's view (privacy rules)")
    scope: FeedScope
    department_id: DbId | None = Field(default=None, description="Team feeds: the department (default: the owner's)")
    include_shifts: bool = Field(default=False, description="Person feeds: also the owner's coming shifts")


class FeedOut(Out):
    id: int
    owner_id: int
    scope: FeedScope
    department_id: int | None
    include_shifts: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class FeedCreated(FeedOut):
    token: str = Field(description="Shown once; only its hash is stored")
    path: str = Field(description="Where calendar apps fetch it: /ical/<token>.ics on the API's public address")
    url: str | None = Field(description="The full URL when PUBLIC_BASE_URL is set")
