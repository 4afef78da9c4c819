"""Request and response bodies of agenda changes during the session."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class MoveIn(BaseModel):
    """Where to move an item (1-based)."""

    position: int = Field(ge=1)


class StatusIn(BaseModel):
    """The item's new status; "voting" and its end are set by polls."""

    status: Literal["called", "deferred", "decided"]
    reason: str = Field(default="", max_length=1000)


class UrgentItemIn(BaseModel):
    """An item added by urgency (Dringlichkeit) during the meeting, with its reason."""

    title: str = Field(min_length=1, max_length=500)
    reason: str = Field(min_length=1, max_length=1000)
    public: bool = True
    votable: bool = True
    number: str | None = Field(default=None, min_length=1, max_length=20)


class AgendaRowOut(BaseModel):
    """An agenda item as shown during the session."""

    id: str
    number: str
    position: int
    title: str
    public: bool
    votable: bool
    status: Literal["pending", "called", "voting", "decided", "deferred"]
    current: bool


class CurrentOut(BaseModel):
    """The current item and since when it is under discussion."""

    agenda_item_id: str
    number: str
    called_at: datetime
    called_by: str


class AgendaOut(BaseModel):
    """The agenda in order with the current item."""

    meeting_id: str
    current: CurrentOut | None
    items: list[AgendaRowOut]
