"""Exceptions raised by the ZK device adapter.

Every failure of :func:`shared.zk.read_device` and the other helpers is one of these, so callers
(the sync job, the CLI) never see pyzk's own exceptions or raw socket errors.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Base class of every device adapter error."""


class DeviceUnreachable(DeviceError):
    """The device did not answer (timeout, connection refused or dropped while reading)."""


class DeviceAuthFailed(DeviceError):
    """The device refused the communication key (comm password)."""


class DeviceDataMismatch(DeviceError):
    """The attendance buffer does not agree with the record count the device reported."""


class DeviceProtocolError(DeviceError):
    """The device answered something we cannot understand (bad reply, corrupt record)."""


class DeviceReplyRejected(DeviceProtocolError):
    """A reply failed verification: wrong checksum (corrupted in transit), answering another request or
    session, or a data chunk of the wrong size. Nothing of that read is stored."""


class DeviceDeadlineExceeded(DeviceError):
    """The device answered, but the whole session did not finish within its deadline (a very slow device)."""
