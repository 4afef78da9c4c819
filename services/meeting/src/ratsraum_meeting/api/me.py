"""GET /api/v1/me: the caller."""

from __future__ import annotations

from fastapi import APIRouter

from ratsraum_meeting.api.deps import DB, Reader
from ratsraum_meeting.meetings import service
from ratsraum_meeting.meetings.schemas import MembershipOut, MeOut, PersonOut

router = APIRouter(prefix="/api/v1", tags=["me"])


@router.get("/me")
async def me(principal: Reader, db: DB) -> MeOut:
    """Who the caller is, and their seats if they are a person of the town."""
    async with db.tenant_session(principal.tenant) as session:
        person = await service.get_person(session, person_id=principal.subject)
        seats = await service.memberships_of(session, person_id=principal.subject)
    return MeOut(
        subject=principal.subject, tenant=principal.tenant, roles=sorted(principal.roles),
        name=principal.name or (person.name if person else ""),
        person=PersonOut(
            id=person.id, name=person.name, party=person.party,
            memberships=[MembershipOut(body_id=s.body_id, role=s.role) for s in seats],
        ) if person is not None else None,
    )
