"""HTTP shapes of people, meetings and agendas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from ratsraum_meeting.meetings.models import Body, Meeting
from ratsraum_meeting.timeutil import utc


class PersonOut(BaseModel):
    """A person with their seats."""

    id: str
    name: str
    party: str
    memberships: list[MembershipOut]


class MembershipOut(BaseModel):
    """A seat in a body."""

    body_id: str
    role: str


class MeOut(BaseModel):
    """The caller as the token and meeting know them."""

    subject: str
    tenant: str
    roles: list[str]
    name: str
    person: PersonOut | None


class BodyRef(BaseModel):
    """A body, briefly."""

    id: str
    name: str


class MeetingOut(BaseModel):
    """A meeting in lists."""

    id: str
    title: str
    body: BodyRef
    starts_at: datetime
    status: Literal["scheduled", "running", "interrupted", "closed"]
    location: str
    started_at: datetime | None = None  # actual start (first opening)
    ended_at: datetime | None = None  # actual end (closing)

    @classmethod
    def of(cls, meeting: Meeting, body: Body) -> MeetingOut:
        """The list view of a stored meeting."""
        # ends_at may hold an imported (OParl) planned end; it is the actual end once closed.
        ended = meeting.ends_at if meeting.status == "closed" else None
        return cls(
            id=meeting.id, title=meeting.title, body=BodyRef(id=body.id, name=body.name),
            starts_at=utc(meeting.starts_at), status=meeting.status,
            location=meeting.location,
            started_at=utc(meeting.started_at) if meeting.started_at else None,
            ended_at=utc(ended) if ended else None,
        )


class AgendaItemOut(BaseModel):
    """An agenda item with its latest result and poll."""

    id: str
    number: str
    position: int
    title: str
    public: bool
    votable: bool
    status: Literal["pending", "called", "voting", "decided", "deferred"]
    result: dict[str, Any] | None
    poll_id: str | None


class MeetingDetailOut(MeetingOut):
    """A meeting with its whole agenda (closed part included: readers are all logged in)."""

    version: int
    statutory_members: int
    rule_profile: str
    agenda: list[AgendaItemOut]


PersonOut.model_rebuild()
