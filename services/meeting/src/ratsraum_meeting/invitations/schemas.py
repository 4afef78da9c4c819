"""Request and response bodies of the invitation API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class SendInvitationsIn(BaseModel):
    """What to send; by default the first invitation, afterwards an update."""

    kind: Literal["invitation", "update", "cancellation"] | None = Field(
        default=None,
        description="invitation: first send, or a re-send of the current version (same "
        "SEQUENCE); update: changed meeting (SEQUENCE+1); cancellation: METHOD:CANCEL.",
    )
    person_ids: list[str] | None = Field(
        default=None, description="Only these members (e.g. a re-send after a failure).")


class DeliveryOut(BaseModel):
    """One mail to one member: what, to which address, when, and whether it went out."""

    id: str
    person_id: str
    email: str | None
    kind: str
    sequence: int
    subject: str
    status: Literal["pending", "sent", "failed", "no_address"]
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    sent_by: str


class InvitationRoundOut(BaseModel):
    """The outcome of one send."""

    uid: str
    kind: str
    sequence: int
    sent: int
    failed: int
    no_address: int
    deliveries: list[DeliveryOut]


class InvitationLinkIn(BaseModel):
    """The token from the personal link's `einladung` parameter (sent in the body, not the URL,
    so it stays out of access logs)."""

    token: str = Field(min_length=16, max_length=128)


class InvitationLinkOut(BaseModel):
    """Where a valid personal link leads: the meeting, and the join step the member clicks."""

    meeting_id: str
    title: str
    body_name: str
    starts_at: datetime
    status: Literal["scheduled", "running", "interrupted", "closed"]
    person_id: str
    name: str
    invited_at: datetime | None
    join: str = Field(description="GET this (logged in) to mint the personal video link now.")
