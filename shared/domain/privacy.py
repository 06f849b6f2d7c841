"""Privacy by default in team views: teammates see that someone is away, not why.

The type of someone's leave (e.g. "Sick leave") is shown only to the person, to those who approve their
leave (their manager, the request's approver or decider) and to HR, unless the type is public (e.g.
"Remote work"). Everyone else sees "away", with the half day when there is one.
"""

from __future__ import annotations

from collections.abc import Collection


def sees_leave_type(
    *,
    viewer_id: int | None,
    viewer_is_hr: bool,
    subject_id: int,
    approver_ids: Collection[int | None],
    public: bool,
) -> bool:
    """Whether ``viewer_id`` may see the type of ``subject_id``'s leave."""
    if public or viewer_is_hr:
        return True
    if viewer_id is None:
        return False
    return viewer_id == subject_id or viewer_id in approver_ids
