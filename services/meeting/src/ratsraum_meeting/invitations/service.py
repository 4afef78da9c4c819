"""Sending invitations, updates and cancellations, and the record of every delivery."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email.errors import MessageError
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_meeting.invitations import messages as m
from ratsraum_meeting.invitations.content import InvitationContent, ItemLine
from ratsraum_meeting.invitations.mail import Recipient, SmtpMailer, compose
from ratsraum_meeting.invitations.models import InvitationDelivery
from ratsraum_meeting.invitations.tokens import hash_token, mint_token, personal_link
from ratsraum_meeting.meetings.models import Body, Meeting, Membership, Person, Tenant
from ratsraum_meeting.meetings.service import agenda, get_meeting
from ratsraum_meeting.timeutil import now, utc

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class MailSetup:
    """Where mails go out and where personal links point."""

    mailer: SmtpMailer
    sender: str
    app_url: str


@dataclass(frozen=True, slots=True)
class Round:
    """One send: its kind and iCalendar SEQUENCE."""

    kind: str
    sequence: int


def plan_round(*, requested: str | None, history: list[InvitationDelivery]) -> Round:
    """Decide kind and SEQUENCE from what was sent before (a re-send keeps the SEQUENCE)."""
    if any(d.kind == "cancellation" for d in history):
        raise Problem(409, "meeting-cancelled", m.CANCELLED)
    # Rounds that reached nobody (mail server down) do not count as sent.
    latest = max((d for d in history if d.status == "sent"), key=lambda d: d.sequence,
                 default=None)
    if latest is None:
        if requested in ("update", "cancellation"):
            raise Problem(409, "not-invited-yet", m.NOT_INVITED_YET)
        return Round(kind="invitation", sequence=0)
    if requested == "invitation":
        return Round(kind=latest.kind, sequence=latest.sequence)
    return Round(kind=requested or "update", sequence=latest.sequence + 1)


async def list_deliveries(session: AsyncSession, *, meeting_id: str) -> list[InvitationDelivery]:
    """Every mail sent for a meeting, oldest first."""
    await get_meeting(session, meeting_id=meeting_id)
    return list((await session.scalars(
        select(InvitationDelivery).where(InvitationDelivery.meeting_id == meeting_id)
        .order_by(InvitationDelivery.created_at, InvitationDelivery.id)
    )).all())


async def _members(session: AsyncSession, *, body: Body) -> list[Person]:
    return list((await session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.body_id == body.id).order_by(Person.name, Person.id)
    )).all())


async def _content(
    session: AsyncSession, *, meeting: Meeting, body: Body, plan: Round, app_url: str
) -> InvitationContent:
    tenant = await session.get(Tenant, meeting.tenant_id)
    entries = await agenda(session, meeting=meeting)
    base = f"{app_url.rstrip('/')}/sitzungen/{meeting.id}"
    return InvitationContent(
        meeting_id=meeting.id, title=meeting.title, body_name=body.name,
        town_name=tenant.name if tenant else meeting.tenant_id,
        starts_at=utc(meeting.starts_at), location=meeting.location,
        items=tuple(ItemLine(id=e.item.id, number=e.item.number, title=e.item.title,
                             public=e.item.public) for e in entries),
        kind=plan.kind, sequence=plan.sequence, meeting_url=base,
        documents_url=f"{base}/unterlagen",
    )


async def _prepare(
    *, db: Database, setup: MailSetup, tenant: str, meeting_id: str, requested: str | None,
    person_ids: list[str] | None, sent_by: str,
) -> tuple[list[InvitationDelivery], list[EmailMessage]]:
    """Record one pending delivery per member and compose their mails (one transaction)."""
    async with db.transaction(tenant) as session:
        meeting, body = await get_meeting(session, meeting_id=meeting_id)
        history = list((await session.scalars(select(InvitationDelivery).where(
            InvitationDelivery.meeting_id == meeting.id))).all())
        plan = plan_round(requested=requested, history=history)
        members = await _members(session, body=body)
        if person_ids is not None:
            unknown = sorted(set(person_ids) - {p.id for p in members})
            if unknown:
                raise Problem(422, "not-a-member", m.UNKNOWN_RECIPIENTS, ids=", ".join(unknown))
            members = [p for p in members if p.id in set(person_ids)]
        content = await _content(session, meeting=meeting, body=body, plan=plan,
                                 app_url=setup.app_url)
        stamp = now()
        deliveries: list[InvitationDelivery] = []
        mails: list[EmailMessage] = []
        for person in members:
            delivery = InvitationDelivery(
                id=str(uuid.uuid4()), meeting_id=meeting.id, person_id=person.id,
                email=person.email, kind=plan.kind, sequence=plan.sequence,
                subject=content.subject, status="pending", created_at=stamp, sent_by=sent_by,
            )
            deliveries.append(delivery)
            session.add(delivery)
            if not person.email:
                delivery.status = "no_address"
                continue
            token = mint_token()
            delivery.token_hash = hash_token(token)
            link = personal_link(base_url=setup.app_url, meeting_id=meeting.id, token=token)
            try:
                mails.append(compose(content=content, sender=setup.sender, stamp=stamp,
                                     recipient=Recipient(person.name, person.email, link)))
            except (ValueError, TypeError, MessageError) as exc:
                # One member's unusable data (an address the mail library refuses) fails
                # that member's delivery only; everyone else is still invited.
                delivery.status, delivery.error = "failed", f"Nachricht fehlerhaft: {exc}"
                delivery.token_hash = None
    return deliveries, mails


async def send_invitations(
    *, db: Database, setup: MailSetup, tenant: str, meeting_id: str, kind: str | None,
    person_ids: list[str] | None, sent_by: str,
) -> list[InvitationDelivery]:
    """Send one mail per member (invitation, update or cancellation) and record each."""
    deliveries, mails = await _prepare(
        db=db, setup=setup, tenant=tenant, meeting_id=meeting_id, requested=kind,
        person_ids=person_ids, sent_by=sent_by,
    )
    # SMTP runs outside any transaction: a slow mail server must not hold a database writer.
    errors = iter(await setup.mailer.send_all(mails))
    async with db.transaction(tenant) as session:
        for delivery in deliveries:
            if delivery.status != "pending":
                continue
            error = next(errors)
            delivery.status = "failed" if error else "sent"
            delivery.error = error
            delivery.sent_at = None if error else now()
            await session.merge(delivery)
    log.info("invitations.sent", tenant=tenant, meeting_id=meeting_id,
             kind=deliveries[0].kind if deliveries else kind,
             sent=sum(d.status == "sent" for d in deliveries),
             failed=sum(d.status == "failed" for d in deliveries))
    return deliveries
