"""Devices over HTTP: the password is write-only, reads carry the sync status."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from shared.domain.enums import DeviceStatus, PunchSource
from shared.model import AuditLog, Device, Punch
from shared.persistence import Database

URL = "/api/v1/devices"
FRONT = {"name": "Front door", "host": "192.168.1.201", "password": 918273645, "timezone": "Europe/Berlin"}


async def test_a_device_password_is_stored_but_never_returned(client, admin, db: Database):
    created = await client.post(URL, json=FRONT, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert "password" not in body and body["has_password"] is True
    assert body["port"] == 4370 and body["status"] == "unknown" and body["protocol"] == "tcp"
    listed = await client.get(URL, headers=admin)
    assert '"password"' not in listed.text and "918273645" not in listed.text
    assert listed.json()["items"][0]["has_password"] is True
    async with db.session() as s:
        assert (await s.get(Device, body["id"])).password == 918273645
        audit = await s.scalar(select(AuditLog).where(AuditLog.entity == "device"))
    assert "918273645" not in str(audit.new) and audit.new["has_password"] is True


async def test_changing_the_password_is_audited_without_the_value(client, admin, db: Database):
    device = (await client.post(URL, json=FRONT, headers=admin)).json()
    changed = await client.patch(f"{URL}/{device['id']}", json={"password": 987654321}, headers=admin)
    assert changed.status_code == 200 and changed.json()["has_password"] is True
    cleared = await client.patch(f"{URL}/{device['id']}", json={"password": None}, headers=admin)
    assert cleared.json()["has_password"] is False
    async with db.session() as s:
        updates = (await s.scalars(select(AuditLog).where(AuditLog.action == "update"))).all()
    assert len(updates) == 2
    assert all("987654321" not in str(u.old) + str(u.new) for u in updates)


async def test_reading_a_device_shows_its_sync_status(client, admin, db: Database):
    device = (await client.post(URL, json=FRONT, headers=admin)).json()
    synced = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    async with db.transaction() as s:
        row = await s.get(Device, device["id"])
        row.status, row.last_success_at, row.last_record_count, row.serial = DeviceStatus.ONLINE, synced, 42, "ZK123"
    body = (await client.get(f"{URL}/{device['id']}", headers=admin)).json()
    assert body["status"] == "online" and body["last_record_count"] == 42 and body["serial"] == "ZK123"
    assert body["last_success_at"].startswith("2026-03-02T08:15:00")
    online = await client.get(URL, params={"status": "online"}, headers=admin)
    assert online.json()["total"] == 1


async def test_bad_device_settings_are_refused(client, admin):
    for body, field in [
        (FRONT | {"port": 0}, "port"),
        (FRONT | {"host": "bad host!"}, "host"),
        (FRONT | {"password": -1}, "password"),
        (FRONT | {"protocol": "http"}, "protocol"),
        (FRONT | {"timezone": "Not/AZone"}, "timezone"),
    ]:
        response = await client.post(URL, json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.json()["error"]["details"][0]["field"] == field


async def test_device_names_are_unique(client, admin):
    await client.post(URL, json=FRONT, headers=admin)
    assert (await client.post(URL, json=FRONT | {"host": "10.0.0.2"}, headers=admin)).status_code == 409


async def test_a_device_that_delivered_punches_is_kept(client, admin, db: Database):
    device = (await client.post(URL, json=FRONT, headers=admin)).json()
    async with db.transaction() as s:
        s.add(Punch(device_id=device["id"], device_user_id="7", source=PunchSource.DEVICE, instant=datetime.now(UTC)))
    response = await client.delete(f"{URL}/{device['id']}", headers=admin)
    assert response.status_code == 409 and "active: false" in response.json()["error"]["message"]
    spare = (await client.post(URL, json=FRONT | {"name": "Spare"}, headers=admin)).json()
    assert (await client.delete(f"{URL}/{spare['id']}", headers=admin)).status_code == 204
