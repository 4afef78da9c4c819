"""Request and response bodies of the livestream API."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator


def _https_or_empty(value: str) -> str:
    """An https address with a host, or "" (no stream, no captions)."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an https address (https://…) or empty")
    return value


class StreamIn(BaseModel):
    """The clerk sets the stream address and who refused to be streamed."""

    url: str = Field(default="", max_length=1000,
                     description="HLS playlist from the town's streaming service; empty: none")
    captions_url: str = Field(default="", max_length=1000,
                              description="WebVTT captions (https); empty: none")
    refused_person_ids: list[str] = Field(default_factory=list, max_length=500)

    @field_validator("url", "captions_url")
    @classmethod
    def _https(cls, value: str) -> str:
        return _https_or_empty(value)

    @field_validator("refused_person_ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        if any(not v or len(v) > 64 for v in value):
            raise ValueError("each person id has 1 to 64 characters")
        return value


class RefusalOut(BaseModel):
    """A member who did not consent to being streamed."""

    person_id: str
    name: str


class StreamOut(BaseModel):
    """A meeting's stream as set."""

    url: str
    captions_url: str
    refused: list[RefusalOut]
