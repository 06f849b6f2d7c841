"""Invitations: the code is in the answer to the create call and nowhere else, ever."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from api.schemas.common import DbId, Out, Strict
from shared.services.org.invitations import InvitationState


class InvitationCreate(Strict):
    model_config = {"json_schema_extra": {"examples": [{"employee_id": 7, "expires_in_days": 7}]}}

    employee_id: DbId
    expires_in_days: Annotated[int, Field(ge=1, le=90)] = 7
    relink: bool = Field(
        default=False,
        description="Required (true) when the employee is already linked to Telegram: the code then moves them "
        "to another account, and the current chat is told when it is used. Without it: 409 already_linked.",
    )


class InvitationOut(Out):
    id: int
    employee_id: int
    state: InvitationState
    relink: bool = Field(default=False, description="Redeeming it moves an already linked employee")
    expires_at: datetime
    used_at: datetime | None
    used_by_telegram_id: int | None
    revoked_at: datetime | None
    created_by: str
    created_at: datetime


class InvitationCreated(InvitationOut):
    code: str = Field(description="Shown once; only its hash is stored. The employee sends /start <code>")
    deep_link: str | None = Field(description="t.me link that starts the bot with the code, when the bot is known")
