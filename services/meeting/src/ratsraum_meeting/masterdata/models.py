"""Legislative terms, organizations that are not bodies, papers, files and where files hang."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratsraum_common.db import TenantScoped
from ratsraum_meeting.base import Base

# Where a file hangs and in which role (OParl's attribute names, so imports map one to one).
FILE_OWNERS = ("meeting", "agenda_item", "paper")
FILE_ROLES = ("invitation", "resultsProtocol", "verbatimProtocol", "auxiliaryFile",
              "resolutionFile", "mainFile")


class LegislativeTerm(TenantScoped, Base):
    """A legislative term (Wahlperiode) of the town's council."""

    __tablename__ = "legislative_terms"
    __table_args__ = (UniqueConstraint("tenant_id", "oparl_id", name="uq_legislative_terms_oparl"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class Organization(TenantScoped, Base):
    """An organization that is not a body: a party group (Fraktion), an office, a party."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("tenant_id", "oparl_id", name="uq_organizations_oparl"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short: Mapped[str] = mapped_column(String(80), default="")
    organization_type: Mapped[str] = mapped_column(String(80), default="")
    classification: Mapped[str] = mapped_column(String(120), default="")
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class Paper(TenantScoped, Base):
    """A paper (Vorlage, Antrag, Anfrage) with its reference number."""

    __tablename__ = "papers"
    __table_args__ = (UniqueConstraint("tenant_id", "oparl_id", name="uq_papers_oparl"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str] = mapped_column(String(80), default="")
    paper_type: Mapped[str] = mapped_column(String(120), default="")
    date: Mapped[date | None] = mapped_column(Date)
    # [{"description": str, "lon": float, "lat": float}], always lon/lat (repaired on import).
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class File(TenantScoped, Base):
    """A document: where to fetch it and what it is; the bytes stay at the source."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("tenant_id", "oparl_id", name="uq_files_oparl"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    file_name: Mapped[str] = mapped_column(String(300), default="")
    mime_type: Mapped[str] = mapped_column(String(120), default="")
    date: Mapped[date | None] = mapped_column(Date)
    size: Mapped[int | None] = mapped_column(Integer)
    sha1: Mapped[str | None] = mapped_column(String(40))
    access_url: Mapped[str] = mapped_column(String(1000))
    download_url: Mapped[str | None] = mapped_column(String(1000))
    text: Mapped[str | None] = mapped_column(Text)
    oparl_id: Mapped[str | None] = mapped_column(String(500))


class FileLink(TenantScoped, Base):
    """A file attached to a meeting, agenda item or paper in one role (a file may hang twice)."""

    __tablename__ = "file_links"
    __table_args__ = (
        UniqueConstraint("file_id", "owner_kind", "owner_id", "role", name="uq_file_link"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(36), index=True)
    role: Mapped[str] = mapped_column(String(24))
