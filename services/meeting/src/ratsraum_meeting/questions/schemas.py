"""HTTP shapes of citizens' question time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ratsraum_meeting.questions.models import CitizenQuestion
from ratsraum_meeting.timeutil import utc


class DecisionIn(BaseModel):
    """The clerk's decision on a question; a rejection carries a reason."""

    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: str = Field(default="", max_length=2000)


class AnswerIn(BaseModel):
    """The answer given in the session, as the clerk records it."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=20_000)


class QuestionOut(BaseModel):
    """One question as the clerk sees it (the mail address only while the meeting runs)."""

    id: str
    author: str
    email: str | None
    text: str
    status: str
    reason: str | None
    answer: str | None
    submitted_at: datetime
    decided_at: datetime | None
    answered_at: datetime | None

    @classmethod
    def of(cls, row: CitizenQuestion) -> QuestionOut:
        """The HTTP shape of a question row."""
        return cls(
            id=row.id, author=row.author, email=row.email, text=row.text, status=row.status,
            reason=row.reason, answer=row.answer, submitted_at=utc(row.submitted_at),
            decided_at=utc(row.decided_at) if row.decided_at else None,
            answered_at=utc(row.answered_at) if row.answered_at else None)
