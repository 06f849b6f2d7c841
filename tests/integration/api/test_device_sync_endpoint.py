"""POST /devices/{id}/sync: a recorded sync of a real (emulated) ZK device, started in the background."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from sandbox.zk import DeviceConfig, EmulatedRecord, ZKEmulator, make_users
from shared.model import Punch
from shared.persistence import Database
from shared.services.jobs import wait_background

URL = "/api/v1/devices"


async def test_a_sync_is_accepted_and_its_job_run_tells_the_outcome(client, admin, db: Database):
    users = make_users(3)
    records = [EmulatedRecord(users[0].user_id, datetime(2026, 11, 16, 9, 0), punch=0),
               EmulatedRecord(users[0].user_id, datetime(2026, 11, 16, 18, 0), punch=1)]  # fmt: skip
    with ZKEmulator(DeviceConfig(users=users, records=records, record_size=40, timezone="Europe/Berlin")) as device:
        created = await client.post(
            URL,
            json={"name": "Gate", "host": device.host, "port": device.port, "timezone": "Europe/Berlin"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        started = await client.post(f"{URL}/{created.json()['id']}/sync", headers=admin)
        assert started.status_code == 202, started.text
        run = started.json()
        assert run["job"] == "sync_devices" and run["status"] in ("running", "success")
        await wait_background(timeout=30)
    finished = (await client.get(f"/api/v1/job-runs/{run['id']}", headers=admin)).json()
    assert finished["status"] == "success", finished
    async with db.session() as s:
        assert await s.scalar(select(func.count(Punch.id))) == 2
    device_now = (await client.get(f"{URL}/{created.json()['id']}", headers=admin)).json()
    assert device_now["status"] == "online" and device_now["serial"]


async def test_syncing_an_unknown_device_is_a_404_and_readonly_may_not_sync(client, admin, headers, db: Database):
    readonly = headers["readonly"]
    missing = await client.post(f"{URL}/999/sync", headers=admin)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    created = await client.post(URL, json={"name": "Gate", "host": "127.0.0.1", "port": 9}, headers=admin)
    refused = await client.post(f"{URL}/{created.json()['id']}/sync", headers=readonly)
    assert refused.status_code == 403
