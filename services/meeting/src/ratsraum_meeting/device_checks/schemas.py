"""HTTP shapes of device checks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ratsraum_meeting.device_checks.service import MemberCheck
from ratsraum_meeting.timeutil import utc

# What the member's device said about camera and microphone (no_signal: the microphone gave
# access but no sound, e.g. muted).
DeviceResult = Literal["not_checked", "not_allowed", "not_found", "no_signal", "working"]


class DeviceCheckIn(BaseModel):
    """What the member's browser found (outcomes only, never media)."""

    model_config = ConfigDict(extra="forbid")

    camera: DeviceResult
    microphone: DeviceResult
    # The round trip the device measured to meeting; None when it could not measure.
    connection_ms: int | None = Field(default=None, ge=0, le=120_000)


class PracticeVoteIn(BaseModel):
    """The choice of a practice vote: checked, then dropped."""

    model_config = ConfigDict(extra="forbid")

    choice: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")


class DeviceCheckOut(BaseModel):
    """One member's latest device check."""

    person_id: str
    name: str = ""
    camera: DeviceResult = "not_checked"
    microphone: DeviceResult = "not_checked"
    connection_ms: int | None = None
    checked_at: datetime | None = None
    practice_voted: bool = False
    practice_voted_at: datetime | None = None

    @classmethod
    def of(cls, member: MemberCheck) -> DeviceCheckOut:
        """The API view of a member and their check."""
        check = member.check
        if check is None:
            return cls(person_id=member.person_id, name=member.name)
        return cls(
            person_id=member.person_id, name=member.name, camera=check.camera,
            microphone=check.microphone,
            connection_ms=check.connection_ms,
            checked_at=utc(check.checked_at) if check.checked_at else None,
            practice_voted=check.practice_voted_at is not None,
            practice_voted_at=(utc(check.practice_voted_at) if check.practice_voted_at
                               else None))


class PracticeVoteOut(BaseModel):
    """The receipt of a practice vote: it arrived, and nothing was recorded as a decision."""

    practice: bool = True
    replayed: bool
    practice_voted_at: datetime
