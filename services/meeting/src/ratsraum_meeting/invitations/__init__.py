"""Invitations: German email with iCalendar, each member's personal link, delivery records."""
