"""HTTP API: the clerk sends invitations; the record of deliveries is kept per meeting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ratsraum_common.auth import Principal
from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import DB, Voter, require_roles
from ratsraum_meeting.config import Settings
from ratsraum_meeting.invitations import entry, service
from ratsraum_meeting.invitations import messages as m
from ratsraum_meeting.invitations.calendar import event_uid
from ratsraum_meeting.invitations.mail import SmtpMailer
from ratsraum_meeting.invitations.models import InvitationDelivery
from ratsraum_meeting.invitations.schemas import (
    DeliveryOut,
    InvitationLinkIn,
    InvitationLinkOut,
    InvitationRoundOut,
    SendInvitationsIn,
)
from ratsraum_meeting.timeutil import utc

router = APIRouter(prefix="/api/v1/meetings", tags=["invitations"])
# The clerk's office sends; the chair may also see who was invited when.
Sender = Annotated[Principal, Depends(require_roles("clerk", "admin"))]
Staff = Annotated[Principal,
                  Depends(require_roles("clerk", "chair", "vice_chair", "admin"))]


def _setup(request: Request) -> service.MailSetup:
    settings: Settings = request.app.state.settings
    if not settings.smtp_host:
        raise Problem(503, "mail-not-configured", m.NOT_CONFIGURED)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
    mailer = SmtpMailer(
        host=settings.smtp_host, port=settings.smtp_port, tls=settings.smtp_tls,
        user=settings.smtp_user, password=password, timeout=settings.smtp_timeout_seconds,
    )
    return service.MailSetup(mailer=mailer, sender=settings.mail_from,
                             app_url=settings.public_app_url)


def _out(delivery: InvitationDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id, person_id=delivery.person_id, email=delivery.email, kind=delivery.kind,
        sequence=delivery.sequence, subject=delivery.subject,
        status=delivery.status,
        error=delivery.error, created_at=utc(delivery.created_at),
        sent_at=utc(delivery.sent_at) if delivery.sent_at else None, sent_by=delivery.sent_by,
    )


@router.post("/{meeting_id}/invitations")
async def send_invitations(
    meeting_id: str, request: Request, principal: Sender, db: DB,
    body: SendInvitationsIn | None = None,
) -> InvitationRoundOut:
    """Send (or re-send) the invitation, an update or a cancellation, one mail per member."""
    wanted = body or SendInvitationsIn()
    deliveries = await service.send_invitations(
        db=db, setup=_setup(request), tenant=principal.tenant, meeting_id=meeting_id,
        kind=wanted.kind, person_ids=wanted.person_ids, sent_by=principal.subject,
    )
    first = deliveries[0] if deliveries else None
    return InvitationRoundOut(
        uid=event_uid(meeting_id), kind=first.kind if first else (wanted.kind or "invitation"),
        sequence=first.sequence if first else 0,
        sent=sum(d.status == "sent" for d in deliveries),
        failed=sum(d.status == "failed" for d in deliveries),
        no_address=sum(d.status == "no_address" for d in deliveries),
        deliveries=[_out(d) for d in deliveries],
    )


@router.get("/{meeting_id}/invitations")
async def list_deliveries(meeting_id: str, principal: Staff, db: DB) -> list[DeliveryOut]:
    """What was sent to whom and when (clerk, chair and admin)."""
    async with db.tenant_session(principal.tenant) as session:
        deliveries = await service.list_deliveries(session, meeting_id=meeting_id)
    return [_out(d) for d in deliveries]


@router.post("/{meeting_id}/invitation-link")
async def follow_invitation_link(
    meeting_id: str, link: InvitationLinkIn, principal: Voter, db: DB
) -> InvitationLinkOut:
    """Check a personal link for the logged-in member; it leads to the join step (see entry)."""
    async with db.tenant_session(principal.tenant) as session:
        found = await entry.check_link(session, meeting_id=meeting_id, token=link.token,
                                       person_id=principal.subject)
    meeting = found.meeting
    return InvitationLinkOut(
        meeting_id=meeting.id, title=meeting.title, body_name=found.body.name,
        starts_at=utc(meeting.starts_at), status=meeting.status,
        person_id=found.person.id, name=found.person.name,
        invited_at=utc(found.delivery.sent_at) if found.delivery.sent_at else None,
        join=f"/api/v1/meetings/{meeting.id}/join",
    )
