"""What the scheduled jobs tell people, in their own language (HTML for Telegram): device alerts to HR,
the check-out reminder to an employee, the digest attachment's caption."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

from babel.dates import format_timedelta

from shared.notify.leave_messages import translator_for


def device_offline_alert(
    locale: str | None, *, device: str, last_success: datetime | None, error: str | None, tz: str
) -> str:
    """To HR, once, when a device has not synced for longer than DEVICE_OFFLINE_MINUTES."""
    t = translator_for(locale)
    if last_success is None:
        head = t("📡 Device {device} has never synced.", device=f"<b>{escape(device)}</b>")
    else:
        head = t(
            "📡 Device {device} has not synced since {when}.",
            device=f"<b>{escape(device)}</b>",
            when=t.format_datetime(last_success, "short", tz=tz),
        )
    lines = [head]
    if error:
        lines.append(t("Last error: {error}", error=f"<code>{escape(error[:300])}</code>"))
    lines.append(t("Punches stay on the device and will be collected once it answers again."))
    return "\n".join(lines)


def device_back_online(locale: str | None, *, device: str, new_punches: int) -> str:
    """To HR, once, when a device that was reported offline syncs again."""
    t = translator_for(locale)
    return t.plural(
        "✅ Device {device} is back online: {n} new punch stored.",
        "✅ Device {device} is back online: {n} new punches stored.",
        new_punches,
        device=f"<b>{escape(device)}</b>",
    )


def device_clock_alert(locale: str | None, *, device: str, drift_seconds: int, device_time: datetime) -> str:
    """To HR, once, when a device clock is off by more than DEVICE_CLOCK_ALERT_SECONDS (``device_time`` is the
    naive wall time the device showed)."""
    t = translator_for(locale)
    amount = format_timedelta(timedelta(seconds=abs(drift_seconds)), threshold=1, locale=t.locale)
    name = f"<b>{escape(device)}</b>"
    if drift_seconds > 0:
        head = t("🕰 The clock of device {device} is {amount} ahead.", device=name, amount=amount)
    else:
        head = t("🕰 The clock of device {device} is {amount} behind.", device=name, amount=amount)
    shows = t(
        "It shows {time}: punches recorded there now carry a wrong time. Set the device clock.",
        time=escape(t.format_datetime(device_time, "medium")),
    )
    return f"{head}\n{shows}"


def checkout_reminder(locale: str | None, *, checked_in: datetime, shift_end: datetime, tz: str) -> str:
    """To an employee still checked in some time after their shift ended."""
    t = translator_for(locale)
    return t(
        "⏰ Your shift ended at {end} and you have not checked out yet (checked in at {start}). "
        "Please check out when you leave.",
        end=t.format_time(shift_end, tz=tz),
        start=t.format_time(checked_in, tz=tz),
    )


def digest_caption(locale: str | None, day: date) -> str:
    """Caption of the digest's XLSX attachment."""
    t = translator_for(locale)
    return t("Attendance exceptions for {day} (spreadsheet)", day=escape(t.format_date(day, "medium")))


def nobody(locale: str | None) -> str:
    """Stands for the approver of a request that could not be routed to anybody."""
    t = translator_for(locale)
    return t("no approver")
