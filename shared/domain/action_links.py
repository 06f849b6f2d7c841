"""E-mail action links: when a link may still act.

A link is ``used`` once it has acted (single use: a second click, or a second POST racing the first, finds it
used), ``expired`` from ``expires_at`` on, else ``valid``. Used wins over expired: a link that acted says so
even after it would have expired.

Links are never acted on by a GET: mail scanners and previews fetch every link in a mail. A GET shows a form;
only its POST acts, and only with the form's ``csrf`` value (derived from the link with the server's secret).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"


def link_state(*, expires_at: datetime, used_at: datetime | None, now: datetime) -> LinkState:
    if used_at is not None:
        return LinkState.USED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.VALID
