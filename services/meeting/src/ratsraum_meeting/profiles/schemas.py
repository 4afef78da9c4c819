"""HTTP shapes of rule profiles."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ratsraum_meeting.profiles.presets import DEFAULT_KIND, BodyKind


class PresetOut(BaseModel):
    """A state preset with all its rules."""

    code: str
    name: str
    rules: dict[str, Any]
    # Each rule's citation (law, paragraph, sentence), as in docs/law.md.
    citations: dict[str, str] = Field(default_factory=dict)


class BodyProfileOut(BaseModel):
    """A body's chosen preset, kind, overrides and the effective profile they give."""

    body_id: str
    preset: str
    kind: str
    overrides: dict[str, Any]
    effective: dict[str, Any]


class BodyProfileIn(BaseModel):
    """What an admin sets: preset, kind of body, and single rules that differ from the preset."""

    model_config = ConfigDict(extra="forbid")

    preset: str = Field(max_length=16)
    kind: BodyKind = DEFAULT_KIND
    overrides: dict[str, Any] = Field(default_factory=dict)
