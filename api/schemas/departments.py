"""Departments: a tree (parent), an optional head, and the share of people that may be absent at once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from api.schemas.common import DbId, NameTranslations, Number, Out, Patch, Strict, Text

Name = Text(120)
Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=4, decimal_places=3, allow_inf_nan=False)]


class DepartmentCreate(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [{"name": "Warehouse", "parent_id": 1, "head_id": 4, "max_absent_share": 0.3}]
        }
    }

    name: Name
    name_translations: NameTranslations | None = None
    parent_id: DbId | None = None
    head_id: DbId | None = Field(default=None, description="Employee id of the head of department")
    max_absent_share: Share | None = Field(default=None, description="0..1: most people absent at once, as a share")


class DepartmentUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"parent_id": None, "max_absent_share": 0.25}]}}

    name: Name = None
    name_translations: NameTranslations | None = None
    parent_id: DbId | None = None
    head_id: DbId | None = None
    max_absent_share: Share | None = None


class DepartmentOut(Out):
    id: int
    name: str
    name_translations: dict[str, str] | None
    parent_id: int | None
    head_id: int | None
    max_absent_share: Number | None
    created_at: datetime
