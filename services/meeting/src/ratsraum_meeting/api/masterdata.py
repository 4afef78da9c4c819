"""Admin API of the master data: list, create and change; the town is always the token's."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.auth import Principal
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting import access
from ratsraum_meeting.api.deps import DB, require_roles
from ratsraum_meeting.masterdata import service
from ratsraum_meeting.masterdata.models import LegislativeTerm, Organization, Paper
from ratsraum_meeting.masterdata.schemas import (
    BodyIn,
    BodyOut,
    BodyPatch,
    FileOut,
    MembershipIn,
    MembershipOut,
    MembershipPatch,
    OrganizationOut,
    PaperDetailOut,
    PaperOut,
    PersonEmailIn,
    PersonIn,
    PersonOut,
    PersonPatch,
    TermIn,
    TermOut,
    TermPatch,
)
from ratsraum_meeting.meetings.models import Body, Membership, Person

# Far beyond any town's papers and inside every database's integer range (SQLite and
# PostgreSQL refuse larger OFFSET values with an error, not an empty page).
MAX_OFFSET = 2**31 - 1
# The largest id an INTEGER primary key holds in PostgreSQL (SQLite's is larger).
MAX_ROW_ID = 2**31 - 1

router = APIRouter(prefix="/api/v1/admin", tags=["admin", "masterdata"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]
# The clerk's office keeps members' addresses for invitations up to date as well.
Office = Annotated[Principal, Depends(require_roles("admin", "clerk"))]


_NOT_YOUR_BODY = Msg(
    "Die Adresse dieser Person kann nur die Schriftführung eines ihrer Gremien ändern.",
    "Only the clerk of one of this person's bodies may change their address.",
)


async def _clerk_of_a_body_of(session: AsyncSession, principal: Principal,
                              person_id: str) -> None:
    """A clerk changes addresses only of people who sit in a body they keep (else 403)."""
    if access.clerk_of_every_body(principal):
        return  # identity made them clerk of every body (see ratsraum_meeting.access)
    bodies = access.bodies_of(principal, roles=frozenset({"clerk"}))
    seat = await session.scalar(select(Membership.id).where(
        Membership.person_id == person_id, Membership.body_id.in_(bodies)).limit(1))
    if seat is None:
        raise Problem(403, "forbidden-in-body", _NOT_YOUR_BODY)


@router.get("/bodies")
async def list_bodies(principal: Admin, db: DB) -> list[BodyOut]:
    """The town's bodies (council, committees)."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_rows(session, Body, Body.name, Body.id)
    return [BodyOut.model_validate(r) for r in rows]


@router.post("/bodies", status_code=status.HTTP_201_CREATED)
async def create_body(data: BodyIn, principal: Admin, db: DB) -> BodyOut:
    """Add a body with its statutory size."""
    async with db.transaction(principal.tenant) as session:
        body = Body(id=str(uuid.uuid4()), **data.model_dump())
        session.add(body)
    return BodyOut.model_validate(body)


@router.patch("/bodies/{body_id}")
async def update_body(body_id: str, data: BodyPatch, principal: Admin, db: DB) -> BodyOut:
    """Change a body."""
    async with db.transaction(principal.tenant) as session:
        body = await service.get_or_404(session, Body, body_id, what="Gremium")
        service.apply(body, data.model_dump(exclude_unset=True, exclude_none=True))
    return BodyOut.model_validate(body)


@router.get("/legislative-terms")
async def list_terms(principal: Admin, db: DB) -> list[TermOut]:
    """The town's legislative terms, newest first."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_rows(session, LegislativeTerm,
                                       LegislativeTerm.start_date.desc(), LegislativeTerm.id)
    return [TermOut.model_validate(r) for r in rows]


@router.post("/legislative-terms", status_code=status.HTTP_201_CREATED)
async def create_term(data: TermIn, principal: Admin, db: DB) -> TermOut:
    """Add a legislative term."""
    service.check_dates(data.start_date, data.end_date)
    async with db.transaction(principal.tenant) as session:
        term = LegislativeTerm(id=str(uuid.uuid4()), **data.model_dump())
        session.add(term)
    return TermOut.model_validate(term)


@router.patch("/legislative-terms/{term_id}")
async def update_term(term_id: str, data: TermPatch, principal: Admin, db: DB) -> TermOut:
    """Change a legislative term."""
    async with db.transaction(principal.tenant) as session:
        term = await service.get_or_404(session, LegislativeTerm, term_id, what="Wahlperiode")
        service.apply(term, data.model_dump(exclude_unset=True))
        service.check_dates(term.start_date, term.end_date)
    return TermOut.model_validate(term)


@router.get("/persons")
async def list_persons(principal: Admin, db: DB) -> list[PersonOut]:
    """The town's people."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_rows(session, Person, Person.name, Person.id)
    return [PersonOut.model_validate(r) for r in rows]


@router.post("/persons", status_code=status.HTTP_201_CREATED)
async def create_person(data: PersonIn, principal: Admin, db: DB) -> PersonOut:
    """Add a person."""
    async with db.transaction(principal.tenant) as session:
        person = await service.create_person(session, values=data.model_dump())
    return PersonOut.model_validate(person)


@router.patch("/persons/{person_id}")
async def update_person(person_id: str, data: PersonPatch, principal: Admin, db: DB
                        ) -> PersonOut:
    """Change a person."""
    async with db.transaction(principal.tenant) as session:
        person = await service.get_or_404(session, Person, person_id, what="Person")
        service.apply(person, data.model_dump(exclude_unset=True, exclude_none=True))
    return PersonOut.model_validate(person)


@router.put("/persons/{person_id}/email")
async def set_person_email(person_id: str, data: PersonEmailIn, principal: Office, db: DB
                           ) -> PersonOut:
    """Set or remove where a person's invitations go (admin or clerk; the address is checked)."""
    async with db.transaction(principal.tenant) as session:
        person = await service.get_or_404(session, Person, person_id, what="Person")
        if not principal.has_any("admin"):
            await _clerk_of_a_body_of(session, principal, person_id)
        person.email = data.email  # checked and normalised by EmailStr
    return PersonOut.model_validate(person)


@router.get("/memberships")
async def list_memberships(
    principal: Admin, db: DB, body_id: str | None = None, person_id: str | None = None
) -> list[MembershipOut]:
    """Seats, optionally of one body or one person."""
    where = [c == v for c, v in ((Membership.body_id, body_id),
                                 (Membership.person_id, person_id)) if v is not None]
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_rows(session, Membership, Membership.id, where=where)
    return [MembershipOut.model_validate(r) for r in rows]


@router.post("/memberships", status_code=status.HTTP_201_CREATED)
async def create_membership(data: MembershipIn, principal: Admin, db: DB) -> MembershipOut:
    """Give a person a seat in a body (member, deputy or chair)."""
    async with db.transaction(principal.tenant) as session:
        membership = await service.create_membership(session, values=data.model_dump())
    return MembershipOut.model_validate(membership)


@router.patch("/memberships/{membership_id}")
async def update_membership(
    membership_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)], data: MembershipPatch,
    principal: Admin, db: DB,
) -> MembershipOut:
    """Change a seat's role, period or voting right."""
    async with db.transaction(principal.tenant) as session:
        membership = await service.get_or_404(session, Membership, membership_id,
                                              what="Mitgliedschaft")
        changes = data.model_dump(exclude_unset=True)
        if changes.get("role", "") is None:
            del changes["role"]
        service.apply(membership, changes)
        service.check_dates(membership.start_date, membership.end_date)
    return MembershipOut.model_validate(membership)


@router.get("/organizations")
async def list_organizations(principal: Admin, db: DB) -> list[OrganizationOut]:
    """Organizations that are not bodies (party groups, offices), mostly from OParl."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_rows(session, Organization, Organization.name)
    return [OrganizationOut.model_validate(r) for r in rows]


@router.get("/papers")
async def list_papers(
    principal: Admin, db: DB, limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[PaperOut]:
    """Papers, newest first."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.list_rows(session, Paper, Paper.date.desc(), Paper.id,
                                       limit=limit, offset=offset)
    return [PaperOut.model_validate(r) for r in rows]


@router.get("/papers/{paper_id}")
async def get_paper(paper_id: str, principal: Admin, db: DB) -> PaperDetailOut:
    """A paper with its files and the agenda items that consult it."""
    async with db.tenant_session(principal.tenant) as session:
        paper = await service.get_or_404(session, Paper, paper_id, what="Drucksache")
        files, items = await service.paper_detail(session, paper=paper)
    return PaperDetailOut(
        **PaperOut.model_validate(paper).model_dump(),
        files=[FileOut.model_validate({**f.__dict__, "role": role}) for f, role in files],
        agenda_item_ids=items,
    )
