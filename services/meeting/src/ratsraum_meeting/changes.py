"""What a unit of work changed that others must learn of, noted on its session.

Domains change rows; they do not build the public snapshot themselves (that needs quorum,
agenda, polls and more, all of which sit above most domains). A domain notes here that a
meeting's public view changed, and the publisher above the domains (`publish/public.py`)
stages one `public.meeting.updated` event per noted meeting just before the session commits.
A rolled-back session publishes nothing, like the outbox rows it would have written.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

# The key in `Session.info`: meeting ids in the order they were first noted.
_PUBLIC_VIEW_CHANGED = "ratsraum_meeting.public_view_changed"


def public_view_changed(session: AsyncSession, *, meeting_id: str) -> None:
    """Note that what the public sees of the meeting changed; published when this commits."""
    notes: dict[str, None] = session.info.setdefault(_PUBLIC_VIEW_CHANGED, {})
    notes[meeting_id] = None


def take_public_view_changes(session: Session | AsyncSession) -> list[str]:
    """The meetings noted since the last call, in order; the notes are cleared."""
    notes: dict[str, None] = session.info.pop(_PUBLIC_VIEW_CHANGED, {})
    return list(notes)


def has_public_view_changes(session: Session | AsyncSession) -> bool:
    """Whether any meeting was noted and not yet taken."""
    return bool(session.info.get(_PUBLIC_VIEW_CHANGED))
