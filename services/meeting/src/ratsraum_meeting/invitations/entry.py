"""Following the personal link of an invitation mail into the meeting.

The link (`…/sitzungen/{meeting}?einladung=<token>`) identifies one delivered invitation, not
a session. Decision: the token alone never mints a video link. Mails are forwarded, kept in
shared mailboxes and fetched by link scanners, and the law wants access data that only the
member can use (NRW DigiSiVO § 2). So the member logs in as usual (OIDC, with their second
factor), and the token must belong to that same person. The link then leads to
`GET /meetings/{id}/join`, which mints the provider link only when the member clicks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.invitations.models import InvitationDelivery
from ratsraum_meeting.invitations.tokens import hash_token
from ratsraum_meeting.meetings.models import Body, Meeting, Membership, Person
from ratsraum_meeting.meetings.service import get_meeting, get_person

UNKNOWN = Msg(
    "Dieser Einladungslink ist ungültig oder gehört nicht zu dieser Sitzung. Bitte den Link "
    "aus der neuesten Einladung verwenden oder die Sitzung in Ratsraum öffnen.",
    "This invitation link is not valid or does not belong to this meeting. Please use the "
    "link of the latest invitation or open the meeting in Ratsraum.",
)
SOMEONE_ELSE = Msg(
    "Dieser Einladungslink wurde an eine andere Person versandt. Jedes Mitglied erhält einen "
    "eigenen Link; bitte den Link aus Ihrer eigenen Einladung verwenden.",
    "This invitation link was sent to someone else. Each member gets a personal link; please "
    "use the link from your own invitation.",
)
CANCELLED = Msg(
    "Diese Sitzung wurde abgesagt; der Einladungslink gilt nicht mehr.",
    "This meeting has been cancelled; the invitation link is no longer valid.",
)
SUPERSEDED = Msg(
    "Dieser Einladungslink wurde durch eine spätere Einladung ersetzt. Bitte den Link aus der "
    "neuesten E-Mail verwenden.",
    "This invitation link was replaced by a later invitation. Please use the link from the "
    "latest mail.",
)
NO_SEAT = Msg(
    "Sie gehören dem Gremium dieser Sitzung nicht mehr an; der Einladungslink gilt nicht mehr.",
    "You no longer belong to this meeting's body; the invitation link is no longer valid.",
)
ENDED = Msg(
    "Diese Sitzung ist bereits beendet; eine Teilnahme ist nicht mehr möglich.",
    "This meeting has already ended; joining is no longer possible.",
)


@dataclass(frozen=True, slots=True)
class Entry:
    """A checked personal link: the meeting, the member, and the invitation it came with."""

    meeting: Meeting
    body: Body
    person: Person
    delivery: InvitationDelivery


async def check_link(
    session: AsyncSession, *, meeting_id: str, token: str, person_id: str
) -> Entry:
    """The invitation behind a personal link if it is valid for this logged-in member."""
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    delivery = await session.scalar(select(InvitationDelivery).where(
        InvitationDelivery.token_hash == hash_token(token)))
    if delivery is None or delivery.meeting_id != meeting.id or delivery.status != "sent":
        raise Problem(404, "invitation-unknown", UNKNOWN)
    if delivery.person_id != person_id:
        raise Problem(403, "invitation-for-someone-else", SOMEONE_ELSE)
    cancelled = await session.scalar(select(func.count()).select_from(InvitationDelivery).where(
        InvitationDelivery.meeting_id == meeting.id, InvitationDelivery.kind == "cancellation"))
    if cancelled:
        raise Problem(410, "meeting-cancelled", CANCELLED)
    # Every later mail to the member carries a new link; only the newest one is valid.
    later = await session.scalar(select(func.count()).select_from(InvitationDelivery).where(
        InvitationDelivery.meeting_id == meeting.id, InvitationDelivery.person_id == person_id,
        InvitationDelivery.status == "sent", InvitationDelivery.token_hash.is_not(None),
        InvitationDelivery.created_at > delivery.created_at))
    if later:
        raise Problem(410, "invitation-superseded", SUPERSEDED)
    seat = await session.scalar(select(Membership.id).where(
        Membership.body_id == body.id, Membership.person_id == person_id))
    person = await get_person(session, person_id=person_id)
    if seat is None or person is None:
        raise Problem(403, "not-a-member", NO_SEAT)
    if meeting.status == "closed":
        raise Problem(409, "meeting-closed", ENDED)
    return Entry(meeting=meeting, body=body, person=person, delivery=delivery)
