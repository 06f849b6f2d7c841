"""Which channels reach a person, and when an e-mail link may still act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.action_links import LinkState, link_state
from shared.domain.channels import channels_for, is_reachable, looks_like_email
from shared.domain.enums import Channel, ChannelChoice

TG, MAIL = Channel.TELEGRAM, Channel.EMAIL


@pytest.mark.parametrize(
    ("choice", "telegram", "email", "expected"),
    [
        (ChannelChoice.AUTO, True, "a@b.io", (TG,)),
        (ChannelChoice.AUTO, False, "a@b.io", (MAIL,)),
        (ChannelChoice.TELEGRAM, True, "a@b.io", (TG,)),
        (ChannelChoice.EMAIL, True, "a@b.io", (MAIL,)),
        (ChannelChoice.BOTH, True, "a@b.io", (TG, MAIL)),
        (ChannelChoice.BOTH, True, None, (TG,)),
        (ChannelChoice.EMAIL, True, None, (TG,)),
        (ChannelChoice.TELEGRAM, False, "a@b.io", (MAIL,)),
        (ChannelChoice.BOTH, False, None, ()),
        (None, False, "a@b.io", (MAIL,)),
    ],
)
def test_the_channels_follow_the_choice_and_fall_back_to_what_exists(choice, telegram, email, expected):
    assert channels_for(choice, has_telegram=telegram, email=email, email_enabled=True) == expected


def test_without_an_smtp_server_nobody_is_mailed():
    assert channels_for(ChannelChoice.EMAIL, has_telegram=True, email="a@b.io", email_enabled=False) == (TG,)
    assert not is_reachable(has_telegram=False, email="a@b.io", email_enabled=False)


@pytest.mark.parametrize("value", ["", "a", "a@b", "@b.io", "a b@c.io", "<a@b.io>", "a@.io", "a@b.io,c@d.io"])
def test_an_address_that_cannot_be_one_is_not_used(value):
    assert not looks_like_email(value)
    assert channels_for(ChannelChoice.EMAIL, has_telegram=False, email=value, email_enabled=True) == ()


@given(
    choice=st.sampled_from([None, *ChannelChoice]),
    telegram=st.booleans(),
    email=st.sampled_from([None, "x@y.org"]),
    enabled=st.booleans(),
)
def test_anyone_with_a_channel_is_reached_on_at_least_one_and_only_on_channels_they_have(
    choice, telegram, email, enabled
):
    got = channels_for(choice, has_telegram=telegram, email=email, email_enabled=enabled)
    assert bool(got) == is_reachable(has_telegram=telegram, email=email, email_enabled=enabled)
    assert TG not in got or telegram
    assert MAIL not in got or (email and enabled)
    assert len(set(got)) == len(got)


NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_a_link_acts_until_it_expires_and_only_once():
    later = NOW + timedelta(hours=1)
    assert link_state(expires_at=later, used_at=None, now=NOW) is LinkState.VALID
    assert link_state(expires_at=later, used_at=None, now=later) is LinkState.EXPIRED
    assert link_state(expires_at=later, used_at=NOW, now=NOW) is LinkState.USED
    assert link_state(expires_at=NOW, used_at=NOW, now=later) is LinkState.USED  # used says so even once expired
