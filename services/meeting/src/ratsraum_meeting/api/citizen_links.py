"""HTTP API of citizens' links: the portal's public calls, and the clerk's list and revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ratsraum_common.auth import Principal
from ratsraum_common.db import validate_tenant
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import DB, require_roles
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.citizen_links import mail, removal
from ratsraum_meeting.citizen_links import service as links
from ratsraum_meeting.citizen_links.models import CitizenLink
from ratsraum_meeting.citizen_links.schemas import (
    AcceptedOut,
    CitizenLinkOut,
    CitizenRoomIn,
    CitizenRoomOut,
    GuestJoinOut,
    LinkRequestIn,
    TokenIn,
)
from ratsraum_meeting.config import Settings
from ratsraum_meeting.invitations.mail import SmtpMailer
from ratsraum_meeting.meetings import service as meetings
from ratsraum_meeting.timeutil import now
from ratsraum_meeting.video import service as video
from ratsraum_meeting.video.base import Participant, VideoError

router = APIRouter(tags=["citizen-links"])
PUBLIC = "/api/v1/citizen-links/{tenant}/{meeting_id}"
STAFF = "/api/v1/meetings/{meeting_id}/citizen-links"
Staff = Annotated[Principal, Depends(require_roles("clerk", "chair", "vice_chair", "admin"))]
Revoker = Annotated[Principal, Depends(require_roles("clerk", "admin"))]
GUEST_NAME = "Gast (Öffentlichkeit)"
# A guest can be in the provider's room only while the session runs (or is interrupted).
SESSION_STATES = ("running", "interrupted")

NO_MAIL = Msg("Der Versand von Mails ist nicht eingerichtet; bitte wenden Sie sich an die Stadt.",
              "Sending mail is not set up; please contact the town.")
MAIL_FAILED = Msg("Die Mail konnte nicht versandt werden; bitte versuchen Sie es später erneut.",
                  "The mail could not be sent; please try again later.")
PROVIDER_DOWN = Msg(
    "Der Videokonferenzdienst antwortet nicht; bitte versuchen Sie es gleich noch einmal.",
    "The video conference service does not answer; please try again shortly.",
)
NO_TOWN = Msg("Diese Stadt gibt es hier nicht.", "There is no such town here.")


def _out(r: CitizenLink) -> CitizenLinkOut:
    return CitizenLinkOut(id=r.id, email=links.masked(r.email), state=r.state,
                          requested_at=r.requested_at, confirmed_at=r.confirmed_at,
                          revoked_at=r.revoked_at, removal_state=r.removal_state,
                          removal_note=r.removal_note or "", removal_at=r.removal_at)


def _town(tenant: str) -> str:
    try:
        return validate_tenant(tenant)
    except ValueError as exc:
        raise Problem(404, "tenant-not-found", NO_TOWN) from exc


async def _send(settings: Settings, message: object) -> None:
    if not settings.smtp_host:
        raise Problem(503, "mail-not-configured", NO_MAIL)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
    mailer = SmtpMailer(host=settings.smtp_host, port=settings.smtp_port, tls=settings.smtp_tls,
                        user=settings.smtp_user, password=password,
                        timeout=settings.smtp_timeout_seconds)
    [error] = await mailer.send_all([message])  # type: ignore[list-item]
    if error is not None:
        raise Problem(502, "mail-failed", MAIL_FAILED)


@router.post(PUBLIC, status_code=202)
async def request_link(
    tenant: str, meeting_id: str, body: LinkRequestIn, db: DB, request: Request
) -> AcceptedOut:
    """A citizen asks for a link; the confirmation mail goes out (double opt-in)."""
    town = _town(tenant)
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else ""
    forwarded = request.headers.get("x-citizen-address", "")
    if forwarded and client in settings.citizen_link_forwarders:
        client = forwarded  # the portal's caller, so one portal is not one network
    at = now()
    async with db.transaction(town) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        token = await links.request_link(
            session, meeting=meeting, email=body.email, client_address=client, at=at,
            per_address=settings.citizen_links_per_address,
            per_network=settings.citizen_links_per_network)
        title = meeting.title
        # Sent inside the transaction: a request whose mail failed is not counted or kept.
        await _send(settings, mail.confirmation_mail(
            sender=settings.mail_from, to=links.normalise_address(body.email), title=title,
            confirm_url=mail.page_url(portal_url=settings.public_portal_url, tenant=town,
                                      meeting_id=meeting.id, leaf="zugang/bestaetigen",
                                      token=token),
            stamp=at))
    return AcceptedOut(status="confirmation-sent")


@router.post(PUBLIC + "/confirm")
async def confirm_link(
    tenant: str, meeting_id: str, body: TokenIn, db: DB, request: Request
) -> AcceptedOut:
    """The citizen confirmed by mail; the personal link goes out."""
    town = _town(tenant)
    settings: Settings = request.app.state.settings
    at = now()
    async with db.transaction(town) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        row, link_token = await links.confirm(session, meeting=meeting, token=body.token, at=at)
        assert row.email is not None  # confirm() refuses erased rows
        await _send(settings, mail.link_mail(
            sender=settings.mail_from, to=row.email, title=meeting.title,
            join_url=mail.page_url(portal_url=settings.public_portal_url, tenant=town,
                                   meeting_id=meeting.id, leaf="zugang", token=link_token),
            stamp=at))
    return AcceptedOut(status="link-sent")


@router.post(PUBLIC + "/join")
async def guest_join(
    tenant: str, meeting_id: str, body: TokenIn, db: DB, request: Request
) -> GuestJoinOut:
    """Mint a guest link at the town's provider, if the link is valid and the part public."""
    town = _town(tenant)
    settings: Settings = request.app.state.settings
    async with db.tenant_session(town) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        row = await links.usable_link(session, meeting=meeting, token=body.token)
        setup = await video.require_setup(session, body_id=meeting.body_id)
    async with video.open_adapter(setup, settings) as adapter:
        try:
            room = await video.ensure_room(db, tenant=town, meeting=meeting, adapter=adapter,
                                           settings=settings)
            link = await adapter.join_link(room=room, participant=Participant(
                person_id=removal.guest_key(row.id), display_name=GUEST_NAME, moderator=False))
        except VideoError as exc:
            raise Problem(502, "video-unavailable", PROVIDER_DOWN) from exc
    return GuestJoinOut(url=link.url, provider=setup.provider)


@router.get(STAFF)
async def list_links(meeting_id: str, principal: Staff, db: DB) -> list[CitizenLinkOut]:
    """The meeting's citizens' links for the clerk (addresses masked)."""
    async with db.tenant_session(principal.tenant) as session:
        await meetings.get_meeting(session, meeting_id=meeting_id)
        rows = await links.links_of(session, meeting_id=meeting_id)
    return [_out(r) for r in rows]


@router.post(STAFF + "/{link_id}/revoke")
async def revoke_link(
    request: Request, meeting_id: str, link_id: str, principal: Revoker, db: DB
) -> CitizenLinkOut:
    """Revoke one link at once; its next use is refused, and during the session its guest is
    put out of the provider's room (in the background; the clerk's list shows the outcome)."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        r = await links.revoke(session, meeting_id=meeting_id, link_id=link_id, at=now())
        out = _out(r)
        in_session = meeting.status in SESSION_STATES
    if in_session:
        removal.start(db, tenant=principal.tenant, meeting_id=meeting_id,
                      settings=request.app.state.settings, link_id=link_id)
    return out


@router.put("/api/v1/meetings/{meeting_id}/citizen-room")
async def set_citizen_room(
    meeting_id: str, body: CitizenRoomIn, principal: Revoker, db: DB
) -> CitizenRoomOut:
    """Name the town hall room for people without internet; the portal page shows it."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        meeting.citizen_room = " ".join(body.room.split())
        public_view_changed(session, meeting_id=meeting.id)
        return CitizenRoomOut(room=meeting.citizen_room)
