"""daily attendance: index on (date, employee_id) for the API's day lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 01:20:00

``GET /attendance/daily`` lists a day (or a range) by date, then employee: with this index a page is read
in index order and only its rows are joined to the employees, instead of sorting the whole day (10,000
rows for a company of 10,000) for every page.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_daily_attendance_date_employee", "daily_attendance", ["date", "employee_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_daily_attendance_date_employee", table_name="daily_attendance")
