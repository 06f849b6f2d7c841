"""API tokens (admin only): the plaintext is in the answer to the create call and nowhere else."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from api.schemas.common import DbId, Instant, Out, Strict, Text
from shared.domain.enums import TokenRole
from shared.services.org.tokens import TokenState

Name = Text(120)


class TokenCreate(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"name": "payroll-sync", "role": "readonly"},
                {"name": "ops-lead", "role": "manager", "employee_id": 3, "expires_at": "2027-06-30T00:00:00Z"},
                {"name": "prometheus", "role": "metrics"},
            ]
        }
    }

    name: Name
    role: TokenRole
    employee_id: DbId | None = Field(default=None, description="Required for manager tokens: whose reports they see")
    expires_at: Instant | None = Field(default=None, description="Refused from this instant on; empty: until revoked")


class TokenOut(Out):
    id: int
    name: str
    role: TokenRole
    employee_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None
    state: TokenState = TokenState.ACTIVE


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once; only its hash is stored")
