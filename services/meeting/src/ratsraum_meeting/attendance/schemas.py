"""HTTP shapes of attendance and quorum."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Presence = Literal["in_room", "remote", "absent"]


class PresenceIn(BaseModel):
    """The presence the clerk records."""

    model_config = ConfigDict(extra="forbid")

    presence: Presence


class AttendanceOut(BaseModel):
    """One member's recorded presence."""

    meeting_id: str
    person_id: str
    presence: Presence
    since: datetime
    recorded_by: str


class AttendanceRowOut(BaseModel):
    """One member in the attendance list."""

    person_id: str
    name: str
    presence: Presence
    since: datetime | None


class QuorumOut(BaseModel):
    """The live quorum."""

    quorate: bool
    present: int
    required: int
    statutory_members: int
    rule: str
    explanation: str
