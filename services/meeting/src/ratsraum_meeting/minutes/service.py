"""Editing, signing and sealing the minutes; the sealed version is final and published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.auth import Principal
from ratsraum_common.outbox import add_event
from ratsraum_common.problems import Problem
from ratsraum_meeting.base import OutboxMessage
from ratsraum_meeting.config import SERVICE
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership
from ratsraum_meeting.meetings.service import get_meeting, get_person
from ratsraum_meeting.minutes import messages as m
from ratsraum_meeting.minutes.content import MinutesData, gather
from ratsraum_meeting.minutes.models import Minutes
from ratsraum_meeting.minutes.public import PUBLIC_MINUTES_SIGNED, public_minutes
from ratsraum_meeting.minutes.render import render_html, sha256_hex
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.timeutil import now

ROLE_LABELS = {"chair": "Vorsitz", "clerk": "Schriftführung"}


async def load(
    session: AsyncSession, *, meeting_id: str
) -> tuple[Meeting, Body, Minutes | None]:
    """The meeting, its body and its minutes row (None until first edited or signed)."""
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    return meeting, body, await session.get(Minutes, meeting.id)


async def document(session: AsyncSession, *, meeting_id: str) -> tuple[str, str | None]:
    """The minutes as HTML and, once sealed, its SHA-256 (the stored, signed version)."""
    meeting, body, minutes = await load(session, meeting_id=meeting_id)
    if minutes is not None and minutes.signed_html is not None:
        return minutes.signed_html, minutes.sha256
    data = await gather(session, meeting=meeting, body=body, minutes=minutes)
    return render_html(data, draft=True), None


async def editable(session: AsyncSession, *, meeting_id: str, by: str) -> Minutes:
    """The minutes row for a change; refused once sealed, partial signatures are withdrawn."""
    meeting, _body, minutes = await load(session, meeting_id=meeting_id)
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, texts={}, revision=0, updated_at=now(),
                          updated_by=by)
        session.add(minutes)
    if minutes.sha256 is not None:
        raise Problem(409, "minutes-signed", m.SEALED)
    # A signature covers the text as it was; after a change, it must be given again.
    minutes.chair_signed_by = minutes.chair_signed_name = minutes.chair_signed_at = None
    minutes.clerk_signed_by = minutes.clerk_signed_name = minutes.clerk_signed_at = None
    minutes.revision += 1
    minutes.updated_at = now()
    minutes.updated_by = by
    return minutes


def _merged(texts: dict[str, Any], key: str, sub: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of texts with texts[key][sub] updated (JSON columns need a new object)."""
    section = dict(texts.get(key, {}))
    entry = section.get(sub, {})
    section[sub] = {**entry, **changes} if isinstance(entry, dict) else changes
    return {**texts, key: section}


async def update_texts(
    session: AsyncSession, *, meeting_id: str, changes: dict[str, Any], by: str
) -> Minutes:
    """Set the minutes' general text, disruptions and actual start and end."""
    minutes = await editable(session, meeting_id=meeting_id, by=by)
    minutes.texts = {**minutes.texts, **changes}
    return minutes


async def set_item_text(
    session: AsyncSession, *, meeting_id: str, item_id: str, changes: dict[str, str], by: str
) -> Minutes:
    """Set the decision wording and notes of one agenda item."""
    item = await session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        await get_meeting(session, meeting_id=meeting_id)
        raise Problem(404, "agenda-item-not-found", m.ITEM_NOT_FOUND)
    minutes = await editable(session, meeting_id=meeting_id, by=by)
    minutes.texts = _merged(minutes.texts, "items", item_id, changes)
    return minutes


async def set_absence(
    session: AsyncSession, *, meeting_id: str, person_id: str, reason: str, by: str
) -> Minutes:
    """Record why a member was absent."""
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    seat = await session.scalar(select(Membership.id).where(
        Membership.body_id == meeting.body_id, Membership.person_id == person_id))
    if seat is None:
        raise Problem(404, "not-a-member", m.NOT_A_MEMBER)
    minutes = await editable(session, meeting_id=meeting_id, by=by)
    minutes.texts = {**minutes.texts,
                     "absences": {**minutes.texts.get("absences", {}), person_id: reason}}
    return minutes


def _check_signer(minutes: Minutes, *, role: str, signer: Principal) -> None:
    if minutes.sha256 is not None:
        raise Problem(409, "minutes-signed", m.SEALED)
    if not signer.has_any(role):
        raise Problem(403, "role-not-held", m.ROLE_NOT_HELD, role=ROLE_LABELS[role])
    mine, other = (("chair_signed_by", "clerk_signed_by") if role == "chair"
                   else ("clerk_signed_by", "chair_signed_by"))
    if getattr(minutes, mine) is not None:
        raise Problem(409, "already-signed", m.ALREADY_SIGNED, role=ROLE_LABELS[role])
    if getattr(minutes, other) == signer.subject:
        raise Problem(409, "same-signer", m.SAME_SIGNER)


async def sign(
    session: AsyncSession, *, meeting_id: str, role: str, signer: Principal
) -> Minutes:
    """Sign in one role; the second signature seals, hashes and publishes the minutes."""
    meeting, body, minutes = await load(session, meeting_id=meeting_id)
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, texts={}, revision=0, updated_at=now(),
                          updated_by=signer.subject)
        session.add(minutes)
    _check_signer(minutes, role=role, signer=signer)
    if await session.scalar(select(Poll.id).where(
            Poll.meeting_id == meeting.id, Poll.state == "open").limit(1)) is not None:
        raise Problem(409, "poll-open", m.POLL_OPEN)
    person = await get_person(session, person_id=signer.subject)
    name = person.name if person else (signer.name or signer.subject)
    at = now()
    setattr(minutes, f"{role}_signed_by", signer.subject)
    setattr(minutes, f"{role}_signed_name", name)
    setattr(minutes, f"{role}_signed_at", at)
    if minutes.chair_signed_by and minutes.clerk_signed_by:
        await _seal(session, meeting=meeting, body=body, minutes=minutes, at=at)
    return minutes


async def _seal(
    session: AsyncSession, *, meeting: Meeting, body: Body, minutes: Minutes, at: Any
) -> MinutesData:
    """Render the final version, store it with its hash, and publish its public part."""
    data = await gather(session, meeting=meeting, body=body, minutes=minutes)
    html = render_html(data, draft=False)
    minutes.signed_html = html
    minutes.sha256 = sha256_hex(html)
    add_event(
        session, OutboxMessage, tenant=meeting.tenant_id, service=SERVICE,
        event_name=PUBLIC_MINUTES_SIGNED,
        payload=public_minutes(data=data, tenant_id=meeting.tenant_id,
                               minutes_sha256=minutes.sha256, signed_at=at),
    )
    return data
