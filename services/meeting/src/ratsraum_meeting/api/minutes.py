"""HTTP API of the minutes: read as JSON, HTML or PDF; the clerk writes; chair and clerk sign."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from ratsraum_common.auth import Principal
from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import DB, Reader, require_roles
from ratsraum_meeting.minutes import messages as m
from ratsraum_meeting.minutes import own_votes, service
from ratsraum_meeting.minutes.models import Minutes
from ratsraum_meeting.minutes.render import render_pdf, with_hash_note
from ratsraum_meeting.minutes.schemas import (
    AbsenceIn,
    ItemTextIn,
    MinutesOut,
    MinutesTextsIn,
    OwnVoteIn,
    OwnVoteOut,
    SignatureOut,
    SignIn,
)
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/meetings", tags=["minutes"])
Clerk = Annotated[Principal, Depends(require_roles("clerk"))]
Signer = Annotated[Principal, Depends(require_roles("clerk", "chair", "vice_chair"))]
OwnVoter = Annotated[Principal, Depends(require_roles("member", "deputy", "clerk"))]


def _out(meeting_id: str, minutes: Minutes | None) -> MinutesOut:
    base = f"/api/v1/meetings/{meeting_id}/minutes"
    signatures = []
    for role in ("chair", "clerk"):
        at = getattr(minutes, f"{role}_signed_at", None)
        signatures.append(SignatureOut(
            role=role, name=getattr(minutes, f"{role}_signed_name", None),
            signed_at=utc(at) if at else None))
    sealed = minutes is not None and minutes.sha256 is not None
    return MinutesOut(
        meeting_id=meeting_id, status="signed" if sealed else "draft",
        revision=minutes.revision if minutes else 0,
        texts=dict(minutes.texts) if minutes else {}, signatures=signatures,
        sha256=minutes.sha256 if minutes else None, html_url=f"{base}/html",
        pdf_url=f"{base}/pdf",
    )


@router.get("/{meeting_id}/minutes")
async def get_minutes(meeting_id: str, principal: Reader, db: DB) -> MinutesOut:
    """The minutes' state: draft or signed, the clerk's text, signatures, hash."""
    async with db.tenant_session(principal.tenant) as session:
        _meeting, _body, minutes = await service.load(session, meeting_id=meeting_id)
    return _out(meeting_id, minutes)


@router.get("/{meeting_id}/minutes/html", response_class=HTMLResponse)
async def minutes_html(meeting_id: str, principal: Reader, db: DB) -> HTMLResponse:
    """The minutes as HTML: the live draft, or the signed version exactly as hashed."""
    async with db.tenant_session(principal.tenant) as session:
        html, digest = await service.document(session, meeting_id=meeting_id)
    headers = {"Content-Language": "de"}
    if digest:
        headers["X-Content-SHA256"] = digest
    return HTMLResponse(html, headers=headers)


@router.get("/{meeting_id}/minutes/pdf", response_class=Response)
async def minutes_pdf(meeting_id: str, principal: Reader, db: DB) -> Response:
    """The minutes as PDF; the signed version names its hash on the last page."""
    async with db.tenant_session(principal.tenant) as session:
        html, digest = await service.document(session, meeting_id=meeting_id)
    # Rendering a PDF is CPU work: a worker thread keeps the event loop serving others.
    pdf = await asyncio.to_thread(render_pdf, with_hash_note(html, digest) if digest else html)
    headers = {"Content-Disposition": f'inline; filename="niederschrift-{meeting_id}.pdf"'}
    if digest:
        headers["X-Content-SHA256"] = digest
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.put("/{meeting_id}/minutes")
async def put_minutes(
    meeting_id: str, texts: MinutesTextsIn, principal: Clerk, db: DB
) -> MinutesOut:
    """Set the actual start and end, the disruptions section and general remarks."""
    changes = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
               for k, v in texts.model_dump(exclude_unset=True).items()}
    async with db.transaction(principal.tenant) as session:
        minutes = await service.update_texts(session, meeting_id=meeting_id, changes=changes,
                                             by=principal.subject)
    return _out(meeting_id, minutes)


@router.put("/{meeting_id}/minutes/items/{item_id}")
async def put_item_text(
    meeting_id: str, item_id: str, text: ItemTextIn, principal: Clerk, db: DB
) -> MinutesOut:
    """Set the decision wording and notes of one agenda item."""
    async with db.transaction(principal.tenant) as session:
        minutes = await service.set_item_text(
            session, meeting_id=meeting_id, item_id=item_id,
            changes=text.model_dump(exclude_unset=True), by=principal.subject)
    return _out(meeting_id, minutes)


@router.put("/{meeting_id}/minutes/absences/{person_id}")
async def put_absence(
    meeting_id: str, person_id: str, absence: AbsenceIn, principal: Clerk, db: DB
) -> MinutesOut:
    """Record why a member was absent."""
    async with db.transaction(principal.tenant) as session:
        minutes = await service.set_absence(session, meeting_id=meeting_id, person_id=person_id,
                                            reason=absence.reason, by=principal.subject)
    return _out(meeting_id, minutes)


@router.post("/{meeting_id}/minutes/sign")
async def sign_minutes(meeting_id: str, sign: SignIn, principal: Signer, db: DB) -> MinutesOut:
    """Sign as chair or clerk; with both signatures the minutes are sealed and published."""
    async with db.transaction(principal.tenant) as session:
        minutes = await service.sign(session, meeting_id=meeting_id, role=sign.role,
                                     signer=principal)
    return _out(meeting_id, minutes)


def _whose(principal: Principal, person_id: str | None) -> str:
    """The member concerned: the caller, or anyone when a clerk records it for them."""
    if person_id is None or person_id == principal.subject:
        return principal.subject
    if not principal.has_any("clerk"):
        raise Problem(403, "not-your-vote", m.OWN_VOTE_FOR_OTHERS)
    return person_id


@router.put("/{meeting_id}/minutes/own-votes/{poll_id}")
async def put_own_vote(
    meeting_id: str, poll_id: str, body: OwnVoteIn, principal: OwnVoter, db: DB
) -> OwnVoteOut:
    """Have the minutes record how you voted in a closed open vote (Bavaria; see the profile)."""
    person_id = _whose(principal, body.person_id)
    async with db.transaction(principal.tenant) as session:
        recorded = await own_votes.record(
            session, meeting_id=meeting_id, poll_id=poll_id, person_id=person_id,
            choice=body.choice, by=principal.subject)
    return OwnVoteOut(poll_id=recorded.poll_id, person_id=recorded.person_id,
                      choice=recorded.choice, source=recorded.source)


@router.delete("/{meeting_id}/minutes/own-votes/{poll_id}", status_code=204)
async def delete_own_vote(
    meeting_id: str, poll_id: str, principal: OwnVoter, db: DB, person_id: str | None = None
) -> Response:
    """Take back the demand while the minutes are not yet signed."""
    whose = _whose(principal, person_id)
    async with db.transaction(principal.tenant) as session:
        await own_votes.withdraw(session, meeting_id=meeting_id, poll_id=poll_id,
                                 person_id=whose, by=principal.subject)
    return Response(status_code=204)
