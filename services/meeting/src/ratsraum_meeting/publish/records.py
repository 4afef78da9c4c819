"""A town's public master data as records: the one place that decides which of it the public sees.

Records carry plain public fields and name other records by id; the portal renders them as
OParl. What is left out on purpose: persons without a seat in a body (staff, guests), every
person's mail address, papers consulted under a closed-part item, and files that hang on such a
paper or item (or on nothing at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.masterdata.models import File, FileLink, LegislativeTerm, Organization, Paper
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person

RecordKey = tuple[str, str]  # (kind, id)
Records = dict[RecordKey, dict[str, Any]]
KINDS = ("organization", "person", "membership", "legislative_term", "paper", "consultation",
         "file")
BODY_TYPE = "Gremium"  # OParl's recommended organizationType of a council or committee


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """Only fields with a value; dates as ISO strings."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value in (None, "", []):
            continue
        out[key] = value.isoformat() if isinstance(value, date) else value
    return out


async def _all(session: AsyncSession, model: type[Any]) -> list[Any]:
    return list((await session.scalars(select(model))).all())


def _organizations(bodies: Iterable[Body], orgs: Iterable[Organization]) -> Records:
    records: Records = {}
    for body in bodies:
        records[("organization", body.id)] = _present({
            "name": body.name, "short_name": body.short, "organization_type": BODY_TYPE,
            "classification": body.classification,
        })
    for org in orgs:
        records[("organization", org.id)] = _present({
            "name": org.name, "short_name": org.short,
            "organization_type": org.organization_type, "classification": org.classification,
        })
    return records


def _people(persons: Iterable[Person], seats: Iterable[Membership]) -> Records:
    records: Records = {}
    seated: set[str] = set()
    for seat in seats:
        seated.add(seat.person_id)
        records[("membership", str(seat.id))] = _present({
            "person_id": seat.person_id, "organization_id": seat.body_id, "role": seat.role,
            "start_date": seat.start_date, "end_date": seat.end_date,
            "voting_right": seat.voting_right,
        })
    for person in persons:
        # Only members of a body are public figures; never their mail address.
        if person.id in seated:
            records[("person", person.id)] = _present({"name": person.name})
    return records


def _papers(papers: Iterable[Paper], items: list[Any],
            body_of: dict[str, str]) -> tuple[Records, set[str], set[str]]:
    """Public papers and their consultations; also the public paper and item ids."""
    closed_papers = {i.paper_id for i in items if i.paper_id and not i.public}
    public_items = {i.id for i in items if i.public}
    records: Records = {}
    public_papers: set[str] = set()
    for paper in papers:
        if paper.id in closed_papers:
            continue
        public_papers.add(paper.id)
        records[("paper", paper.id)] = _present({
            "name": paper.name, "reference": paper.reference, "paper_type": paper.paper_type,
            "date": paper.date,
            "locations": [_present({"description": p.get("description"), "lon": p.get("lon"),
                                    "lat": p.get("lat")}) for p in (paper.locations or [])],
        })
    for item in items:
        if item.public and item.paper_id in public_papers:
            records[("consultation", item.id)] = _present({
                "paper_id": item.paper_id, "agenda_item_id": item.id,
                "meeting_id": item.meeting_id, "organization_id": body_of.get(item.meeting_id),
            })
    return records, public_papers, public_items


def _link(link: FileLink, meeting_of: dict[str, str]) -> dict[str, Any]:
    out = {"owner_kind": link.owner_kind, "owner_id": link.owner_id, "role": link.role}
    if link.owner_kind == "agenda_item":  # an item is named within its meeting
        out["meeting_id"] = meeting_of.get(link.owner_id, "")
    return out


def _files(files: Iterable[File], links: Iterable[FileLink], *, meetings: set[str],
           items: set[str], papers: set[str], meeting_of: dict[str, str]) -> Records:
    public_owner = {"meeting": meetings, "agenda_item": items, "paper": papers}
    by_file: dict[str, list[FileLink]] = {}
    for link in links:
        by_file.setdefault(link.file_id, []).append(link)
    records: Records = {}
    for file in files:
        hung = by_file.get(file.id, [])
        # A file is public only where every place it hangs is public.
        if not hung or any(ln.owner_id not in public_owner.get(ln.owner_kind, set())
                           for ln in hung):
            continue
        records[("file", file.id)] = _present({
            "name": file.name, "file_name": file.file_name, "mime_type": file.mime_type,
            "date": file.date, "size": file.size, "sha1": file.sha1,
            "access_url": file.access_url, "download_url": file.download_url,
            "links": [_link(ln, meeting_of)
                      for ln in sorted(hung, key=lambda x: (x.owner_kind, x.owner_id, x.role))],
        })
    return records


async def load_public_records(session: AsyncSession) -> Records:
    """Every public master-data record of the session's town."""
    meetings = (await session.execute(select(Meeting.id, Meeting.body_id))).all()
    body_of = {m.id: m.body_id for m in meetings}
    items = list((await session.execute(select(
        AgendaItem.id, AgendaItem.meeting_id, AgendaItem.paper_id, AgendaItem.public))).all())
    records = _organizations(await _all(session, Body), await _all(session, Organization))
    records |= _people(await _all(session, Person), await _all(session, Membership))
    for term in await _all(session, LegislativeTerm):
        records[("legislative_term", term.id)] = _present({
            "name": term.name, "start_date": term.start_date, "end_date": term.end_date})
    paper_records, papers, public_items = _papers(await _all(session, Paper), items, body_of)
    records |= paper_records
    records |= _files(await _all(session, File), await _all(session, FileLink),
                      meetings=set(body_of), items=public_items, papers=papers,
                      meeting_of={i.id: i.meeting_id for i in items})
    return records
