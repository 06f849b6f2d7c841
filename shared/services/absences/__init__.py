"""Seeing absences: the team calendar, iCalendar feeds, holidays, and who's-out posts to group chats."""
