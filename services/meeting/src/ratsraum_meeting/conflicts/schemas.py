"""HTTP shapes of conflicts of interest and vote requests."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ConflictIn(BaseModel):
    """A declaration; members leave person_id out (or name themselves)."""

    model_config = ConfigDict(extra="forbid")

    person_id: str | None = Field(default=None, max_length=64)
    reason: str = Field(default="", max_length=500)


class ConflictOut(BaseModel):
    """A declared conflict, with who recorded it and when."""

    agenda_item_id: str
    person_id: str
    name: str
    reason: str
    declared_by: str
    declared_at: datetime
    recorded_by_clerk: bool


class VoteRequestIn(BaseModel):
    """A member's request for a kind of vote on an item."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["roll_call", "secret"]


class RequestStateOut(BaseModel):
    """Requests of one kind against the profile's threshold."""

    kind: str
    count: int
    required: int | None
    threshold: str | None
    reached: bool


class VoteRequestsOut(BaseModel):
    """The requests on an item and the method the clerk's next vote defaults to."""

    agenda_item_id: str
    roll_call: RequestStateOut
    secret: RequestStateOut
    default_method: str
