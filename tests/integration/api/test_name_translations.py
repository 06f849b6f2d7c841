"""Leave type and department names in each reader's language, set over HTTP and used in the texts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.errors import Invalid
from shared.i18n import translator
from shared.model import LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.types import create_leave_type

V1 = "/api/v1"
NAMES = {"ru": "Ежегодный отпуск", "ar": "إجازة سنوية"}


async def test_a_leave_type_keeps_its_names_per_language_and_they_can_be_changed(client, admin, db: Database):
    body = {"code": "annual", "name": "Annual leave", "name_translations": NAMES}
    created = await client.post(f"{V1}/leave-types", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["name_translations"] == NAMES
    kind_id = created.json()["id"]
    changed = await client.patch(
        f"{V1}/leave-types/{kind_id}", json={"name_translations": {"ru": "  Отпуск  "}}, headers=admin
    )
    assert changed.status_code == 200 and changed.json()["name_translations"] == {"ru": "Отпуск"}
    async with db.session() as s:
        kind = await s.get(LeaveType, kind_id)
        assert kind.name_for("ru") == "Отпуск" and kind.name_for("ar") == "Annual leave"


async def test_a_department_keeps_its_names_per_language(client, admin):
    created = await client.post(
        f"{V1}/departments", json={"name": "Warehouse", "name_translations": {"ru": "Склад"}}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["name_translations"] == {"ru": "Склад"}


@pytest.mark.parametrize("names", [{"de": "Jahresurlaub"}, {"ru": ""}, {"ar": "x" * 121}])
async def test_an_unknown_language_or_an_empty_or_long_name_is_refused_and_nothing_is_written(
    client, admin, db: Database, names
):
    body = {"code": "annual", "name": "Annual leave", "name_translations": names}
    response = await client.post(f"{V1}/leave-types", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert "name_translations" in response.text
    async with db.session() as s:
        assert (await s.scalars(select(LeaveType))).all() == []


async def test_the_service_refuses_bad_translations_for_every_caller(db: Database):
    async with db.transaction() as session:
        with pytest.raises(Invalid) as refused:
            await create_leave_type(
                session, actor=Actor.cli(), values={"code": "x", "name": "X", "name_translations": {"fr": "X"}}
            )
    assert "name_translations" in refused.value.render(translator("en"))
