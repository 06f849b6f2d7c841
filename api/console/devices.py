"""Devices and jobs: each device's last sync and error, "sync now" (the scheduler's recorded sync, as
``POST /api/v1/devices/{id}/sync``), and the latest job runs with their durations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api import queries as api_queries
from api.console.web import render
from api.deps import DatabaseDep, IdPath, RedisDep, SettingsDep
from shared.services.devices import admin as devices_admin
from shared.services.devices.sync import SyncOptions
from shared.services.devices.sync_job import start_device_sync

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/devices")
async def devices_page(request: Request, db: DatabaseDep, settings: SettingsDep) -> Response:
    async with db.session() as session:
        devices = await devices_admin.list_devices(session, limit=200, offset=0)
        runs = await api_queries.list_job_runs(session, limit=50, offset=0)
    return render(request, "devices.html", devices=devices.items, runs=runs.items, tz=settings.company_timezone,
                  started=request.query_params.get("started"))  # fmt: skip


@router.post("/devices/{device_id}/sync")
async def sync_now(device_id: IdPath, db: DatabaseDep, redis: RedisDep, settings: SettingsDep) -> Response:
    async with db.session() as session:
        await devices_admin.get_device(session, device_id=device_id)  # 404 for an unknown device
    run = await start_device_sync(db, redis, device_id=device_id, options=SyncOptions.from_settings(settings))
    return RedirectResponse(f"/console/devices?started={run.id}#runs", status_code=303)
