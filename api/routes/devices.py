"""Devices: CRUD. The password is write-only; reads show ``has_password`` and the sync status fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.access import Caller
from api.deps import DatabaseDep, IdPath, PageDep, RedisDep, SettingsDep
from api.schemas.common import ERRORS, Page
from api.schemas.devices import DeviceCreate, DeviceOut, DeviceUpdate
from api.schemas.system import JobRunOut
from shared.domain.enums import DeviceStatus
from shared.services.devices import admin as devices_admin
from shared.services.devices.sync import SyncOptions
from shared.services.devices.sync_job import start_device_sync

router = APIRouter(prefix="/devices", tags=["devices"], responses=ERRORS)


@router.get("", summary="List devices with their sync status")
async def list_devices(
    db: DatabaseDep,
    page: PageDep,
    active: bool | None = None,
    device_status: Annotated[DeviceStatus | None, Query(alias="status")] = None,
) -> Page[DeviceOut]:
    async with db.session() as session:
        found = await devices_admin.list_devices(
            session, limit=page.limit, offset=page.offset, active=active, status=device_status
        )
        return Page[DeviceOut].of(found)


@router.get("/{device_id}", summary="Read a device and its sync status")
async def get_device(device_id: IdPath, db: DatabaseDep) -> DeviceOut:
    async with db.session() as session:
        return DeviceOut.model_validate(await devices_admin.get_device(session, device_id=device_id))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a device")
async def create_device(body: DeviceCreate, principal: Caller, db: DatabaseDep) -> DeviceOut:
    async with db.transaction() as session:
        device = await devices_admin.create_device(session, actor=principal.actor, values=body.model_dump())
        return DeviceOut.model_validate(device)


@router.patch("/{device_id}", summary="Change a device (active: false stops syncing it)")
async def update_device(device_id: IdPath, body: DeviceUpdate, principal: Caller, db: DatabaseDep) -> DeviceOut:
    async with db.transaction() as session:
        device = await devices_admin.update_device(
            session, actor=principal.actor, device_id=device_id, values=body.changes()
        )
        return DeviceOut.model_validate(device)


@router.delete(
    "/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a device (409 once it delivered punches: deactivate it instead)",
)
async def delete_device(device_id: IdPath, principal: Caller, db: DatabaseDep) -> Response:
    async with db.transaction() as session:
        await devices_admin.delete_device(session, actor=principal.actor, device_id=device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{device_id}/sync",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Sync a device now (202 with the job run; GET /job-runs/{id} tells the outcome)",
)
async def sync_device_now(device_id: IdPath, db: DatabaseDep, redis: RedisDep, settings: SettingsDep) -> JobRunOut:
    """The same recorded sync the scheduler runs, started in the background; a sync of this device that
    is already running makes this run SKIPPED."""
    async with db.session() as session:
        await devices_admin.get_device(session, device_id=device_id)  # 404 for an unknown device
    run = await start_device_sync(db, redis, device_id=device_id, options=SyncOptions.from_settings(settings))
    return JobRunOut.model_validate(run)
