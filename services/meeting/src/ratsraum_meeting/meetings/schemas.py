"""HTTP shapes of people, meetings and agendas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel


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
