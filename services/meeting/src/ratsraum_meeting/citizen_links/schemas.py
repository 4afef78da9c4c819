"""Request and response bodies of the citizens' link API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field


class LinkRequestIn(BaseModel):
    """A citizen asks for a link with their mail address."""

    email: EmailStr = Field(max_length=320)


class TokenIn(BaseModel):
    """A token from one of the two mails."""

    token: str = Field(min_length=16, max_length=128)


class AcceptedOut(BaseModel):
    """What happened: a mail is on its way."""

    status: str


class GuestJoinOut(BaseModel):
    """The provider's guest link for the public part, minted now."""

    url: str
    provider: str


class CitizenLinkOut(BaseModel):
    """One link as the clerk sees it (the address masked, gone after the meeting)."""

    id: str
    email: str
    state: str
    requested_at: datetime
    confirmed_at: datetime | None
    revoked_at: datetime | None
    # Whether the guest was put out of the provider's room when the closed part last began:
    # removed, absent, failed (removal_note says why) or manual (the clerk must); None: not yet.
    removal_state: str | None = None
    removal_note: str = ""
    removal_at: datetime | None = None


class CitizenRoomIn(BaseModel):
    """The room in the town hall for people without internet ("" for none)."""

    room: str = Field(default="", max_length=300)


class CitizenRoomOut(BaseModel):
    """The room as the portal will show it."""

    room: str
