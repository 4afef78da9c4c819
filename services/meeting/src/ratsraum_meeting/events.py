"""Names of the events meeting publishes and of those it consumes."""

from __future__ import annotations

PUBLIC_MEETING_UPDATED = "public.meeting.updated"
PUBLIC_RECORDS_CHANGED = "public.records.changed"
VOTING_CONSUMER = "meeting-voting"
POLL_CLOSED_FILTER = "ratsraum.*.voting.poll.closed"
