"""Request and response bodies of the speakers list."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class FloorRequestIn(BaseModel):
    """A request to speak; "order" is a point of order (zur Geschäftsordnung)."""

    kind: Literal["speech", "order"] = "speech"
    person_id: str | None = Field(default=None, description="clerk or chair only")
    device: Literal["phone", "pc", "room"] | None = None


class MoveIn(BaseModel):
    """Where to move a waiting request (1-based)."""

    position: int = Field(ge=1)


class SettingsIn(BaseModel):
    """Close or reopen the list; the speaking time limit in seconds (none: unlimited)."""

    closed: bool = False
    limit_seconds: int | None = Field(default=None, ge=10, le=7200)


class SpeakerOut(BaseModel):
    """A request on the list."""

    id: str
    person_id: str
    name: str
    kind: Literal["speech", "order"]
    state: Literal["waiting", "speaking", "done", "withdrawn"]
    position: int
    requested_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    seconds: int | None
    limit_seconds: int | None
    remaining_seconds: int | None = Field(
        default=None, description="for the current speaker with a limit; negative: overrun")


class SpeakersOut(BaseModel):
    """One item's speakers list."""

    agenda_item_id: str
    closed: bool
    limit_seconds: int | None
    speaking: SpeakerOut | None
    waiting: list[SpeakerOut]
    done: list[SpeakerOut]
