"""Requesting, confirming, using, revoking and erasing citizens' links (no HTTP here)."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.agenda.models import AgendaCall
from ratsraum_meeting.citizen_links.models import CitizenLink
from ratsraum_meeting.invitations.tokens import hash_token, mint_token
from ratsraum_meeting.meetings.models import AgendaItem, Meeting
from ratsraum_meeting.timeutil import utc

# How long an unconfirmed request counts against the limits (and its mail stays valid).
CONFIRM_WINDOW = timedelta(hours=24)

TOO_MANY_FOR_ADDRESS = Msg(
    "Für diese Adresse wurden schon genug Links zu dieser Sitzung angefordert; bitte sehen Sie "
    "in Ihrem Postfach nach.",
    "Enough links to this meeting have been requested for this address; please check your "
    "mailbox.",
)
TOO_MANY_FOR_NETWORK = Msg(
    "Aus Ihrem Netz wurden zu viele Links angefordert; bitte versuchen Sie es später erneut.",
    "Too many links were requested from your network; please try again later.",
)
MEETING_OVER = Msg(
    "Diese Sitzung ist beendet; Links werden nicht mehr ausgegeben.",
    "This meeting has ended; links are no longer issued.",
)
CONFIRMATION_INVALID = Msg(
    "Dieser Bestätigungslink ist ungültig, abgelaufen oder schon benutzt.",
    "This confirmation link is invalid, expired or already used.",
)
LINK_INVALID = Msg(
    "Dieser Link gilt nicht (mehr) für diese Sitzung; er wurde widerrufen oder gehört zu einer "
    "anderen Sitzung.",
    "This link is not (or no longer) valid for this meeting; it was revoked or belongs to "
    "another meeting.",
)
CLOSED_PART = Msg(
    "Die Sitzung ist jetzt im nicht öffentlichen Teil; die Übertragung ist beendet.",
    "The meeting is now in its closed part; the broadcast has ended.",
)
NOT_RUNNING = Msg(
    "Die Sitzung läuft gerade nicht; der Link funktioniert, sobald der öffentliche Teil läuft.",
    "The meeting is not running now; the link works while its public part runs.",
)
NO_SUCH_LINK = Msg("Diesen Link gibt es in dieser Sitzung nicht.",
                   "There is no such link in this meeting.")


def network_of(address: str) -> str:
    """The requester's network: IPv4 /24, IPv6 /64 (one household or provider block)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def normalise_address(email: str) -> str:
    """The address as compared for the limit (case does not make a second person)."""
    return email.strip().lower()


async def request_link(
    session: AsyncSession, *, meeting: Meeting, email: str, client_address: str,
    at: datetime, per_address: int, per_network: int,
) -> str:
    """Record a request and return the confirmation token; 429 past either limit."""
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", MEETING_OVER)
    address = normalise_address(email)
    network = network_of(client_address)
    since = at - CONFIRM_WINDOW
    by_address = await session.scalar(select(func.count()).select_from(CitizenLink).where(
        CitizenLink.meeting_id == meeting.id, CitizenLink.email == address))
    if (by_address or 0) >= per_address:
        raise Problem(429, "citizen-link-limit-address", TOO_MANY_FOR_ADDRESS)
    by_network = await session.scalar(select(func.count()).select_from(CitizenLink).where(
        CitizenLink.network == network, CitizenLink.requested_at >= since))
    if (by_network or 0) >= per_network:
        raise Problem(429, "citizen-link-limit-network", TOO_MANY_FOR_NETWORK)
    token = mint_token()
    session.add(CitizenLink(
        id=str(uuid.uuid4()), meeting_id=meeting.id, email=address, network=network,
        confirm_hash=hash_token(token), state="pending", requested_at=at))
    await session.flush()
    return token


async def confirm(
    session: AsyncSession, *, meeting: Meeting, token: str, at: datetime
) -> tuple[CitizenLink, str]:
    """Turn a pending request into an active link; returns it and the personal link token."""
    row = await session.scalar(select(CitizenLink).where(
        CitizenLink.confirm_hash == hash_token(token)))
    if (row is None or row.meeting_id != meeting.id or row.state != "pending"
            or row.email is None or utc(row.requested_at) < at - CONFIRM_WINDOW):
        raise Problem(404, "citizen-link-confirmation-invalid", CONFIRMATION_INVALID)
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", MEETING_OVER)
    link_token = mint_token()
    row.link_hash = hash_token(link_token)
    row.state = "active"
    row.confirmed_at = at
    await session.flush()
    return row, link_token


async def in_closed_part(session: AsyncSession, *, meeting: Meeting) -> bool:
    """True while the item under way is one of the closed part."""
    public = await session.scalar(
        select(AgendaItem.public).join(AgendaCall, AgendaCall.agenda_item_id == AgendaItem.id)
        .where(AgendaCall.meeting_id == meeting.id, AgendaCall.left_at.is_(None)))
    return public is False


async def usable_link(session: AsyncSession, *, meeting: Meeting, token: str) -> CitizenLink:
    """The active link of this meeting the token names, checked for this moment.

    403 for a wrong, revoked or foreign link; 409 while the meeting does not run or is in its
    closed part (the portal shows these as pages).
    """
    row = await session.scalar(select(CitizenLink).where(
        CitizenLink.link_hash == hash_token(token)))
    if row is None or row.meeting_id != meeting.id or row.state != "active":
        raise Problem(403, "citizen-link-invalid", LINK_INVALID)
    if meeting.status != "running":
        raise Problem(409, "meeting-not-running", NOT_RUNNING)
    if await in_closed_part(session, meeting=meeting):
        raise Problem(409, "closed-part", CLOSED_PART)
    return row


async def links_of(session: AsyncSession, *, meeting_id: str) -> Sequence[CitizenLink]:
    """Every link of a meeting, oldest first (the clerk's list)."""
    return (await session.scalars(select(CitizenLink).where(
        CitizenLink.meeting_id == meeting_id).order_by(CitizenLink.requested_at))).all()


async def revoke(
    session: AsyncSession, *, meeting_id: str, link_id: str, at: datetime
) -> CitizenLink:
    """Revoke one link at once (idempotent); 404 if the meeting has no such link."""
    row = await session.get(CitizenLink, link_id)
    if row is None or row.meeting_id != meeting_id:
        raise Problem(404, "citizen-link-not-found", NO_SUCH_LINK)
    if row.state != "revoked":
        row.state = "revoked"
        row.revoked_at = at
        row.link_hash = None
    await session.flush()
    return row


async def erase_addresses(session: AsyncSession, *, at: datetime) -> int:
    """Erase address and network of every link whose meeting is closed; returns how many."""
    closed = select(Meeting.id).where(Meeting.status == "closed")
    result = await session.execute(
        update(CitizenLink)
        .where(CitizenLink.meeting_id.in_(closed), CitizenLink.erased_at.is_(None))
        .values(email=None, network=None, erased_at=at, link_hash=None,
                state="expired")
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def masked(email: str | None) -> str:
    """An address as the clerk's list shows it (enough to recognise, not to harvest)."""
    if not email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"
