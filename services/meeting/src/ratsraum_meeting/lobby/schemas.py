"""HTTP shapes of joining, the lobby, admissions and who is connected."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class CapabilitiesOut(BaseModel):
    """What the meeting's video provider can do."""

    personal_links: bool
    admission: Literal["api", "client", "none"]
    presence: list[str]
    stream_control: bool
    webhooks: bool


class JoinOut(BaseModel):
    """The provider link minted for the signed-in member, and where they stand."""

    provider: str
    url: str
    personal: bool
    lobby: Literal["waiting", "admitted", "left"]
    capabilities: CapabilitiesOut


class LobbyEntryOut(BaseModel):
    """A member waiting in the lobby."""

    person_id: str
    name: str
    requested_at: datetime


class AdmissionOut(BaseModel):
    """One logged admission: who, when, by whom."""

    person_id: str
    name: str
    at: datetime
    admitted_by: str


class HeartbeatOut(BaseModel):
    """The member's lobby state after a heartbeat."""

    lobby: Literal["waiting", "admitted", "left"]


class SpanOut(BaseModel):
    """One stretch of presence."""

    presence: Literal["in_room", "remote"]
    joined_at: datetime
    left_at: datetime | None


class ConnectedOut(BaseModel):
    """A member present now, with all their join and leave times in this meeting."""

    person_id: str
    name: str
    presence: Literal["in_room", "remote"]
    since: datetime | None
    spans: list[SpanOut]
