"""Towns, bodies (Gremien), people, memberships, meetings and agenda items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base

MEETING_STATUSES = ("scheduled", "running", "interrupted", "closed")
ITEM_STATUSES = ("pending", "called", "voting", "decided", "deferred")
MEMBERSHIP_ROLES = ("member", "deputy", "chair")


def person_key(table: str) -> ForeignKeyConstraint:
    """The reference of a row's person_id to the person of the same town."""
    return ForeignKeyConstraint(["tenant_id", "person_id"], ["persons.tenant_id", "persons.id"],
                                name=f"fk_{table}_person")


class Tenant(TenantScoped, Base):
    """A town; its id is the tenant slug (tenant_id == id)."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Body(TenantScoped, Base):
    """A council or committee with its statutory size and rule profile."""

    __tablename__ = "bodies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short: Mapped[str] = mapped_column(String(40), default="")
    statutory_members: Mapped[int] = mapped_column(Integer)
    # State preset of quorum and vote rules, e.g. "NRW"; see ratsraum_meeting.profiles.quorum.
    rule_profile: Mapped[str] = mapped_column(String(16), default="NRW")
    # Council ("Rat"), committee ("Ausschuss"), ...; from OParl or set by the admin.
    classification: Mapped[str | None] = mapped_column(String(120))
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class Person(TenantScoped, Base):
    """A person known to the town; id is the subject id identity puts into tokens.

    The key is (town, id): the same human may sit in two towns' bodies, one row per town.
    """

    __tablename__ = "persons"

    tenant_id: Mapped[str] = mapped_column(String(63), primary_key=True, index=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(80), default="")
    # Where invitations go; nullable because not every imported person has one on file.
    email: Mapped[str | None] = mapped_column(String(320))
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class Membership(TenantScoped, Base):
    """A person's seat in a body: member, deputy or chair."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("body_id", "person_id", name="uq_membership"),
        person_key("memberships"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    voting_right: Mapped[bool | None] = mapped_column()
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class Meeting(TenantScoped, Base):
    """One session of a body; version counts public changes for the portal's ordering."""

    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(300), default="")
    # A room in the town hall where citizens without internet follow the public part.
    citizen_room: Mapped[str] = mapped_column(String(300), default="")
    # The livestream (HLS) from the town's streaming service, and its captions (WebVTT).
    stream_url: Mapped[str] = mapped_column(String(1000), default="")
    stream_captions_url: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    version: Mapped[int] = mapped_column(Integer, default=0)
    # When the chair actually opened and closed the session (minutes read both); starts_at
    # is the scheduled start. ends_at also carries an imported OParl meeting's planned end.
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class AgendaItem(TenantScoped, Base):
    """An agenda item (TOP); closed-part items (public=False) never leave to the public."""

    __tablename__ = "agenda_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    public: Mapped[bool] = mapped_column(default=True)
    votable: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # The paper (Vorlage) consulted under this item; papers live in masterdata.
    paper_id: Mapped[str | None] = mapped_column(String(36), index=True)
    result: Mapped[str | None] = mapped_column(String(300))
    resolution_text: Mapped[str | None] = mapped_column(Text)
    oparl_id: Mapped[str | None] = mapped_column(String(500))
