"""ZKTeco device adapter: pyzk for the transport, our own linear attendance parser.

Domain-free (no database). The sync job calls :func:`read_device` in a worker thread and gets a
:class:`DeviceReadout`; :func:`records_to_utc` / :meth:`DeviceReadout.records_utc` turn the naive
device-local punch times into UTC instants.
"""

from shared.zk.device import (
    DeviceReader,
    DeviceReadout,
    DeviceUser,
    LogMark,
    clear_attendance,
    read_device,
    set_time,
)
from shared.zk.errors import (
    DeviceAuthFailed,
    DeviceDataMismatch,
    DeviceDeadlineExceeded,
    DeviceError,
    DeviceProtocolError,
    DeviceReplyRejected,
    DeviceUnreachable,
)
from shared.zk.records import (
    RECORD_SIZES,
    RawRecord,
    decode_zk_time,
    detect_record_size,
    encode_zk_time,
    parse_attendance,
    parse_attendance_buffer,
    split_attendance_buffer,
)
from shared.zk.session import DeviceParams
from shared.zk.timezones import classify_local_time, local_times_to_utc, records_to_utc, to_utc

__all__ = [
    "RECORD_SIZES",
    "DeviceAuthFailed",
    "DeviceDataMismatch",
    "DeviceDeadlineExceeded",
    "DeviceError",
    "DeviceParams",
    "DeviceProtocolError",
    "DeviceReader",
    "DeviceReadout",
    "DeviceReplyRejected",
    "DeviceUnreachable",
    "DeviceUser",
    "LogMark",
    "RawRecord",
    "classify_local_time",
    "clear_attendance",
    "decode_zk_time",
    "detect_record_size",
    "encode_zk_time",
    "local_times_to_utc",
    "parse_attendance",
    "parse_attendance_buffer",
    "read_device",
    "records_to_utc",
    "set_time",
    "split_attendance_buffer",
    "to_utc",
]
