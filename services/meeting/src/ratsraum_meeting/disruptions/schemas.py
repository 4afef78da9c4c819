"""HTTP shapes of disruption reports and the chair's steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ReportIn(BaseModel):
    """A lost connection: what was lost, since when; the clerk names the member (phone)."""

    model_config = ConfigDict(extra="forbid")

    lost: Literal["picture", "sound", "both"]
    since: datetime | None = None
    person_id: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=1000)


class ReportOut(BaseModel):
    """A recorded report; `counts` is false when late or after taking part again."""

    id: int
    person_id: str
    lost: str
    channel: str
    since: datetime
    reported_at: datetime
    reported_by: str
    note: str
    counts: bool
    late_reason: str | None
    decision_id: int | None


class StepIn(BaseModel):
    """The chair's reason for interrupting or resuming."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000)


class DecisionIn(BaseModel):
    """Whose sphere the fault was in; for the town's, which votes to re-run (default: affected)."""

    model_config = ConfigDict(extra="forbid")

    sphere: Literal["town", "member"]
    reason: str = Field(min_length=3, max_length=2000)
    poll_ids: list[str] | None = Field(default=None, max_length=50)


class StepOut(BaseModel):
    """An interrupt, resume or decision."""

    id: int
    kind: str
    sphere: str | None
    reason: str
    data: dict[str, Any]
    by: str
    at: datetime


class DisruptionsOut(BaseModel):
    """A meeting's disruption record."""

    reports: list[ReportOut]
    steps: list[StepOut]
