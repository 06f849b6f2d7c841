"""Which channels reach a person: Telegram, e-mail, or both.

Rules decided here:
- A channel is *available* when the person has its address: a linked Telegram account, or an e-mail address
  while e-mail delivery is configured (``email_enabled``: SMTP_URL is set).
- ``auto`` (the default): Telegram when linked, else e-mail. ``telegram`` / ``email``: that channel;
  ``both``: each available one.
- A choice that cannot be honoured falls back to whatever is available (a person who chose e-mail but has no
  address is still told in Telegram): telling someone on the other channel beats telling nobody.
- Nobody is reachable without any available channel; routing skips such approvers.
- The address must look like one (``looks_like_email``): one ``@`` with text around it, a dot in the domain,
  no spaces or angle brackets, at most 254 characters. Mail servers decide the rest (a bounce is recorded).
"""

from __future__ import annotations

from shared.domain.enums import Channel, ChannelChoice

MAX_EMAIL_LENGTH = 254

_WANTED: dict[ChannelChoice, tuple[Channel, ...]] = {
    ChannelChoice.TELEGRAM: (Channel.TELEGRAM,),
    ChannelChoice.EMAIL: (Channel.EMAIL,),
    ChannelChoice.BOTH: (Channel.TELEGRAM, Channel.EMAIL),
}


def looks_like_email(value: str | None) -> bool:
    """Whether ``value`` is plausibly a deliverable address (see the module docstring)."""
    if not value or len(value) > MAX_EMAIL_LENGTH or any(c.isspace() or c in "<>,;\"'" for c in value):
        return False
    local, at, domain = value.rpartition("@")
    return bool(at and local and "@" not in local and "." in domain.strip(".") and not domain.startswith("."))


def available_channels(*, has_telegram: bool, email: str | None, email_enabled: bool) -> tuple[Channel, ...]:
    """The channels a person could be reached on at all, Telegram first."""
    found: list[Channel] = []
    if has_telegram:
        found.append(Channel.TELEGRAM)
    if email_enabled and looks_like_email(email):
        found.append(Channel.EMAIL)
    return tuple(found)


def channels_for(
    choice: ChannelChoice | None, *, has_telegram: bool, email: str | None, email_enabled: bool
) -> tuple[Channel, ...]:
    """The channels a notification to this person goes over (empty: nobody can reach them)."""
    available = available_channels(has_telegram=has_telegram, email=email, email_enabled=email_enabled)
    if not available:
        return ()
    if choice is None or choice is ChannelChoice.AUTO:
        return available[:1]
    wanted = tuple(c for c in _WANTED[choice] if c in available)
    return wanted or available[:1]


def is_reachable(*, has_telegram: bool, email: str | None, email_enabled: bool) -> bool:
    """Whether any channel reaches the person (what routing calls ``reachable``)."""
    return bool(available_channels(has_telegram=has_telegram, email=email, email_enabled=email_enabled))
