"""Request and response bodies of the minutes API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_TEXT = 20_000


class MinutesTextsIn(BaseModel):
    """The clerk's free text for the whole minutes; fields left out stay as they are."""

    started_at: datetime | None = Field(default=None, description="Actual start")
    ended_at: datetime | None = Field(default=None, description="Actual end")
    general: str | None = Field(default=None, max_length=_TEXT)
    disruptions: str | None = Field(default=None, max_length=_TEXT)


class ItemTextIn(BaseModel):
    """The clerk's text for one agenda item; fields left out stay as they are."""

    decision: str | None = Field(default=None, max_length=_TEXT,
                                 description="Wording of the decision (Beschlusstext)")
    notes: str | None = Field(default=None, max_length=_TEXT,
                              description="Course of the discussion, remarks")


class AbsenceIn(BaseModel):
    """Why a member was absent (e.g. "entschuldigt")."""

    reason: str = Field(max_length=500)


class SignIn(BaseModel):
    """The role the caller signs in."""

    role: Literal["chair", "clerk"]


class SignatureOut(BaseModel):
    """One signature."""

    role: str
    name: str | None
    signed_at: datetime | None


class MinutesOut(BaseModel):
    """The state of the minutes; the documents are at html_url and pdf_url."""

    meeting_id: str
    status: Literal["draft", "signed"]
    revision: int
    texts: dict[str, object]
    signatures: list[SignatureOut]
    sha256: str | None
    html_url: str
    pdf_url: str


class OwnVoteIn(BaseModel):
    """A member's demand that the minutes record how they voted (where the profile allows it)."""

    model_config = ConfigDict(extra="forbid")

    choice: str | None = Field(
        default=None, max_length=64,
        description="How you voted (yes, no, abstain or a candidate's id); needed for open "
                    "votes, whose choices are counted but not stored per member")
    person_id: str | None = Field(
        default=None, max_length=64,
        description="The member, when the clerk records it on their behalf; default: you")


class OwnVoteOut(BaseModel):
    """What the minutes state for the member; source "record" or "declared" (own statement)."""

    poll_id: str
    person_id: str
    choice: str
    source: Literal["record", "declared"]
