"""HTTP shapes of the master data admins keep: bodies, terms, people, memberships, papers."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

Role = Literal["member", "deputy", "chair"]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    oparl_id: str | None = Field(None, description="Set when the row came from an OParl import.")


class BodyIn(BaseModel):
    """A new council or committee."""

    name: str = Field(min_length=1, max_length=300)
    short: str = Field("", max_length=40)
    statutory_members: int = Field(ge=1, le=1000, description="Gesetzliche Mitgliederzahl")
    rule_profile: str = Field("NRW", min_length=2, max_length=16)
    classification: str | None = Field(None, max_length=120, description="e.g. Rat, Ausschuss")


class BodyPatch(BaseModel):
    """Changes to a body; absent fields stay as they are."""

    name: str | None = Field(None, min_length=1, max_length=300)
    short: str | None = Field(None, max_length=40)
    statutory_members: int | None = Field(None, ge=1, le=1000)
    rule_profile: str | None = Field(None, min_length=2, max_length=16)
    classification: str | None = Field(None, max_length=120)


class BodyOut(_Out):
    """A body (Gremium)."""

    name: str
    short: str
    statutory_members: int
    rule_profile: str
    classification: str | None


class TermIn(BaseModel):
    """A new legislative term (Wahlperiode)."""

    name: str = Field(min_length=1, max_length=200)
    start_date: date | None = None
    end_date: date | None = None


class TermPatch(BaseModel):
    """Changes to a legislative term; null clears a date, never the name."""

    name: str | None = Field(None, min_length=1, max_length=200)
    start_date: date | None = None
    end_date: date | None = None

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        # Runs only for a name the caller sent: an absent name stays as it is.
        if value is None:
            raise ValueError("a legislative term needs a name; leave the field out to keep it")
        return value


class TermOut(_Out):
    """A legislative term."""

    name: str
    start_date: date | None
    end_date: date | None


class PersonIn(BaseModel):
    """A new person; `id` is their subject at identity when they have an account there."""

    id: str | None = Field(None, min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    party: str = Field("", max_length=80)
    email: EmailStr | None = Field(None, max_length=320,
                                   description="Where invitations go (only to this person)")


class PersonPatch(BaseModel):
    """Changes to a person."""

    name: str | None = Field(None, min_length=1, max_length=200)
    party: str | None = Field(None, max_length=80)


class PersonOut(_Out):
    """A person."""

    name: str
    party: str
    email: str | None = None


class PersonEmailIn(BaseModel):
    """A person's mail address for invitations; null removes it."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = Field(max_length=320)


class MembershipIn(BaseModel):
    """A new seat of a person in a body."""

    body_id: str
    person_id: str
    role: Role = "member"
    start_date: date | None = None
    end_date: date | None = None
    voting_right: bool | None = None


class MembershipPatch(BaseModel):
    """Changes to a seat."""

    role: Role | None = None
    start_date: date | None = None
    end_date: date | None = None
    voting_right: bool | None = None


class MembershipOut(BaseModel):
    """A seat of a person in a body."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    body_id: str
    person_id: str
    role: str
    start_date: date | None
    end_date: date | None
    voting_right: bool | None
    oparl_id: str | None


class OrganizationOut(_Out):
    """An organization that is not a body (party group, office)."""

    name: str
    short: str
    organization_type: str
    classification: str


class FileOut(_Out):
    """A document and the role it has where it hangs."""

    name: str
    file_name: str
    mime_type: str
    date: date | None
    size: int | None
    access_url: str
    download_url: str | None
    role: str


class PaperOut(_Out):
    """A paper (Vorlage)."""

    name: str
    reference: str
    paper_type: str
    date: date | None
    locations: list[dict[str, Any]]


class PaperDetailOut(PaperOut):
    """A paper with its files and the agenda items that consult it."""

    files: list[FileOut]
    agenda_item_ids: list[str]
