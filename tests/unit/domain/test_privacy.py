"""Who sees the type of someone's leave in team views."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.privacy import sees_leave_type

ids = st.integers(min_value=1, max_value=50)


def test_a_teammate_sees_only_that_someone_is_away():
    assert not sees_leave_type(viewer_id=2, viewer_is_hr=False, subject_id=1, approver_ids={3}, public=False)


def test_the_person_their_approvers_and_hr_see_the_type():
    assert sees_leave_type(viewer_id=1, viewer_is_hr=False, subject_id=1, approver_ids={3}, public=False)
    assert sees_leave_type(viewer_id=3, viewer_is_hr=False, subject_id=1, approver_ids={3}, public=False)
    assert sees_leave_type(viewer_id=9, viewer_is_hr=True, subject_id=1, approver_ids={3}, public=False)


def test_a_public_type_is_seen_by_everyone():
    assert sees_leave_type(viewer_id=2, viewer_is_hr=False, subject_id=1, approver_ids=(), public=True)
    assert sees_leave_type(viewer_id=None, viewer_is_hr=False, subject_id=1, approver_ids=(), public=True)


@given(viewer=st.none() | ids, subject=ids, approvers=st.sets(st.none() | ids, max_size=3), hr=st.booleans())
def test_a_private_type_is_seen_exactly_by_the_entitled(viewer, subject, approvers, hr):
    entitled = hr or (viewer is not None and (viewer == subject or viewer in approvers))
    assert (
        sees_leave_type(viewer_id=viewer, viewer_is_hr=hr, subject_id=subject, approver_ids=approvers, public=False)
        == entitled
    )
