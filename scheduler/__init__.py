"""The scheduler service (APScheduler 3.11): device sync, nightly attendance, the HR digest, reminders and
the leave-ledger jobs.

Jobs (``scheduler/jobs/<job>.py``, each ``run()`` a list of named steps) and their default schedules, all
from Settings (times are local in COMPANY_TIMEZONE; SCHEDULER_INTERVALS overrides any of them):

=====================  ===========================================  =====================================
job                    schedule                                     does
=====================  ===========================================  =====================================
sync_devices           every DEVICE_SYNC_MINUTES                    pull punches from every active device
checkout_reminders     every CHECKOUT_SCAN_MINUTES                  remind who is still checked in
                                                                    CHECKOUT_REMINDER_MINUTES after shift end
process_attendance     daily at ATTENDANCE_PROCESS_TIME             yesterday + stale days (14 back)
hr_digest              daily at DIGEST_TIME                         yesterday's exceptions to every HR person
approval_reminders     daily at REMINDER_PENDING_TIME               re-route, remind approvers, escalate
accrual                monthly on the 1st at LEDGER_TIME            monthly accruals
carry_over             yearly on Jan 1 at LEDGER_TIME               carry-over + yearly allocation
expire_carry_over      daily at LEDGER_TIME                         expire carried-over days
=====================  ===========================================  =====================================

Every run takes a Redis lock, claims its scheduled instant (so a second scheduler replica skips it) and is
recorded as a JobRun (``shared.services.jobs``). Jobs only *write* notifications to the outbox: the outbox
sender runs in the bot process (exactly one place, behind its own Redis lease), never here.
"""
