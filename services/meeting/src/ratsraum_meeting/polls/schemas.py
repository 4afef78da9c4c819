"""HTTP shapes of polls and ballots."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.timeutil import utc

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
    # Remote members the law keeps out of this ballot (BY, BW, BB): who, the rule, the message.
    remote_excluded: dict[str, Any] | None = None

    @classmethod
    def of(cls, poll: Poll, *, remote_excluded: dict[str, Any] | None = None) -> PollOut:
        """The API view of a stored poll."""
        return cls(remote_excluded=remote_excluded,
            id=poll.id, meeting_id=poll.meeting_id, agenda_item_id=poll.agenda_item_id,
            title=poll.title, method=poll.method, majority_rule=poll.majority_rule,
            state=poll.state, roll_size=poll.roll_size, ballots_cast=poll.ballots_cast,
            opened_at=utc(poll.opened_at),
            closed_at=utc(poll.closed_at) if poll.closed_at else None, result=poll.result,
        )


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

    # yes / no / abstain on a motion, a candidate's option id in an election.
    choice: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")


class BallotOut(BaseModel):
    """The receipt of a cast."""

    ballot_id: str
    replayed: bool
    ballots_cast: int


class CancelIn(BaseModel):
    """The chair's reason for withdrawing a vote (logged)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class ShowOfHandsIn(BaseModel):
    """Counts per option the clerk took from a show of hands."""

    model_config = ConfigDict(extra="forbid")

    counts: dict[str, int] = Field(min_length=1, max_length=50)


class CandidateIn(BaseModel):
    """A candidate of an election: option id (e.g. the person's id) and the name shown."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    name: str = Field(min_length=1, max_length=200)


class ElectionCreate(BaseModel):
    """What the clerk sets when opening an election of persons."""

    model_config = ConfigDict(extra="forbid")

    candidates: list[CandidateIn] = Field(min_length=1, max_length=50)
    title: str | None = Field(default=None, max_length=500)


class PollLogOut(BaseModel):
    """One logged step of a poll."""

    kind: str
    reason: str
    data: dict[str, Any]
    by: str
    at: datetime
