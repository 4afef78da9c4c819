"""HTTP shapes of a meeting's hybrid conditions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ratsraum_meeting.profiles.hybrid_rules import ItemKind
from ratsraum_meeting.profiles.presets import BarredKind, EmergencyAuthority, HybridCondition


class RemoteMemberIn(BaseModel):
    """One remote member's consent and reasoned request (work, family, health, ...)."""

    model_config = ConfigDict(extra="forbid")

    consent: bool = False
    reason: str = Field(default="", max_length=500)


class HybridConditionsIn(BaseModel):
    """What the clerk records before a session with remote members (replaces the record)."""

    model_config = ConfigDict(extra="forbid")

    emergency_declared_on: date | None = None
    emergency_declared_by: EmergencyAuthority | None = None
    emergency_note: str = Field(default="", max_length=500)
    emergency_confirmed_on: date | None = None
    two_thirds_decided_on: date | None = None
    two_thirds_yes: int | None = Field(default=None, ge=0, le=10_000)
    supervisory_notified_on: date | None = None
    constituent_session: bool = False
    item_kinds: dict[str, ItemKind] = Field(default_factory=dict, max_length=500)
    remote_members: dict[str, RemoteMemberIn] = Field(default_factory=dict, max_length=500)


class RuleOut(BaseModel):
    """What the body's profile demands, with the citation."""

    value: list[str] | int | str | None
    citation: str


class OpenCheckOut(BaseModel):
    """Whether the meeting may run with the members remote now (and the refusal if not)."""

    allowed: bool
    code: str | None = None
    detail_de: str | None = None
    detail_en: str | None = None


class HybridConditionsOut(HybridConditionsIn):
    """The record, what the law demands of this body, and whether it is met now."""

    model_config = ConfigDict(extra="ignore")

    meeting_id: str
    recorded_by: str | None = None
    recorded_at: datetime | None = None
    required: list[HybridCondition]
    required_citation: str
    barred_with_remote: list[BarredKind]
    barred_citation: str
    emergency_declared_by_required: EmergencyAuthority | None = None
    supervisory_notice_days: int | None = None
    check: OpenCheckOut
    kind: Literal["council", "committee"]
