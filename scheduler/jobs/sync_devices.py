"""sync_devices: pull punches from every active ZKTeco device (every DEVICE_SYNC_MINUTES)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.services.devices.sync import SyncOptions
from shared.services.devices.sync_job import run_device_sync
from shared.services.jobs import JobContext

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "sync_devices"


async def run(ctx: JobContext, clients: Clients, *, device_ids: Sequence[int] | None = None) -> None:
    """Read every active device (or ``device_ids``) concurrently and store new punches once.

    Steps (in :func:`shared.services.devices.sync_job.run_device_sync`, shared with the API's sync):
    "find devices" → "read devices and store punches" (per-device new / duplicate / unmatched counts in
    ``counts["devices"]``) → "check the outcome" (FAILED when every device failed, PARTIAL when some did).
    """
    await run_device_sync(
        ctx,
        db=clients.db,
        redis=clients.redis,
        options=SyncOptions.from_settings(clients.settings),
        io=clients.device_io,
        clock=clients.clock,
        device_ids=device_ids,
    )
