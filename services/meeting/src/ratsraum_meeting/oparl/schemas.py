"""HTTP shapes of OParl imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, field_validator


class ImportIn(BaseModel):
    """Start an import from an OParl system (its System object's URL)."""

    system_url: str = Field(pattern=r"^https?://", max_length=500)
    # Needed only when the system hosts several bodies (towns).
    body_url: str | None = Field(default=None, pattern=r"^https?://", max_length=500)

    @field_validator("system_url", "body_url")
    @classmethod
    def _fetchable(cls, value: str | None) -> str | None:
        # The pattern only checks the scheme; a URL the HTTP client cannot even build (bad
        # port, no host, control characters) is the caller's mistake, not a failed import.
        if value is None:
            return value
        try:
            url = httpx.URL(value)
        except httpx.InvalidURL as exc:
            raise ValueError(f"not a valid URL: {exc}") from exc
        if not url.host:
            raise ValueError("the URL names no host")
        return value


class ImportOut(BaseModel):
    """One import run with its report."""

    id: str
    system_url: str
    status: Literal["completed", "partial", "failed"]
    started_at: datetime
    finished_at: datetime | None
    modified_since: datetime | None = Field(
        description="Only changes since this time were requested (incremental run).")
    report: dict[str, Any] = Field(
        description="counts per type and outcome; repaired defects (with `note_en` where an "
                    "admin must act, e.g. `member-count-missing`: the body's statutory size is "
                    "unknown and stored as 0 until entered); skipped objects with their reason "
                    "(German); lists that could not be read (errors).")
