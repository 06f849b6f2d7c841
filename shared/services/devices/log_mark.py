"""The mark of the stored part of a device's attendance log, kept on the device row between syncs.

After a successful sync the device row holds how many records the device had, their size and the raw bytes of
the last one (hex). The next sync hands that to :func:`shared.zk.read_device`, which fetches only what was
appended, once it has seen the device still holds that very record at that position.
"""

from __future__ import annotations

from sqlalchemy import update

from shared.model import Device
from shared.persistence import Database
from shared.zk import LogMark


def stored_mark(device: Device) -> LogMark | None:
    """Where the stored part of the device's log ends (from the last successful sync), if known."""
    if not (device.last_record_count and device.last_record_size and device.last_record_raw):
        return None
    try:
        raw = bytes.fromhex(device.last_record_raw)
    except ValueError:
        return None
    return LogMark(device.last_record_count, device.last_record_size, raw)


def remember_mark(device: Device, record_count: int, mark: LogMark | None) -> None:
    """Note the end of what this sync stored (in the sync's own transaction)."""
    device.last_record_count = record_count
    device.last_record_size = mark.record_size if mark else None
    device.last_record_raw = mark.last_record.hex() if mark else None


async def forget_mark(db: Database, device_id: int) -> None:
    """The device log was cleared: its next sync reads from the start."""
    async with db.transaction() as session:
        await session.execute(
            update(Device)
            .where(Device.id == device_id)
            .values(last_record_count=0, last_record_size=None, last_record_raw=None)
        )
