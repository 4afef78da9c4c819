"""HTTP shapes of polls and ballots."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Method = Literal["open", "roll_call", "secret", "election"]
MajorityRule = Literal[
    "simple", "two_thirds_of_cast", "majority_of_statutory", "two_thirds_of_statutory"
]


class PollCreate(BaseModel):
    """What the clerk sets when opening a vote."""

    model_config = ConfigDict(extra="forbid")

    # None: open, unless enough members requested a roll-call or secret vote.
    method: Method | None = None
    majority_rule: MajorityRule = "simple"
    title: str | None = Field(default=None, max_length=500)


class PollOut(BaseModel):
    """A poll as stored by meeting."""

    id: str
    meeting_id: str
    agenda_item_id: str
    title: str
    method: str
    majority_rule: str
    state: str
    roll_size: int
    ballots_cast: int
    opened_at: datetime
    closed_at: datetime | None
    result: dict[str, Any] | None


class PollStatusOut(BaseModel):
    """A poll with the neutral "has voted" marks."""

    id: str
    agenda_item_id: str
    method: str
    state: str
    roll_size: int
    ballots_cast: int
    voted: list[str]
    has_voted: bool
    result: dict[str, Any] | None


class BallotIn(BaseModel):
    """A member's choice."""

    model_config = ConfigDict(extra="forbid")

    choice: Literal["yes", "no", "abstain"]


class BallotOut(BaseModel):
    """The receipt of a cast."""

    ballot_id: str
    replayed: bool
    ballots_cast: int
