"""The public part of signed minutes, as the event the citizen portal receives."""

from __future__ import annotations

from datetime import datetime

from ratsraum.meeting.v1 import public_pb2
from ratsraum_meeting.minutes.content import MinutesData
from ratsraum_meeting.minutes.render import render_html, sha256_hex
from ratsraum_meeting.minutes.votes import VoteLine
from ratsraum_meeting.timeutil import utc

PUBLIC_MINUTES_SIGNED = "public.minutes.signed"


def _result(vote: VoteLine) -> public_pb2.PublicVoteResult:
    result = vote.result
    message = public_pb2.PublicVoteResult(
        poll_id=vote.poll_id, method=vote.method, outcome=str(result.get("outcome", "")),
        explanation=str(result.get("explanation", "")), yes=vote.count("yes"),
        no=vote.count("no"), abstain=vote.count("abstain"),
        roll_size=int(result.get("roll_size", 0)),
        ballots_cast=int(result.get("ballots_cast", 0)), show_of_hands=vote.show_of_hands,
    )
    closed_at = result.get("closed_at")
    if isinstance(closed_at, str) and closed_at:
        message.closed_at.FromDatetime(utc(datetime.fromisoformat(closed_at)))
    for name, choice in vote.named_votes:
        message.named_votes.append(public_pb2.PublicNamedVote(name=name, option_id=choice))
    return message


def public_minutes(
    *, data: MinutesData, tenant_id: str, minutes_sha256: str, signed_at: datetime
) -> public_pb2.PublicMinutesSigned:
    """The event payload: public items only, no absence reasons, with its own HTML and hash."""
    html = render_html(data, draft=False, public_only=True)
    signatures = {s.role: s.name for s in data.signatures}
    event = public_pb2.PublicMinutesSigned(
        tenant=public_pb2.PublicTenant(id=tenant_id, name=data.town_name),
        meeting_id=data.meeting_id, body_name=data.body_name, title=data.title,
        location=data.location, disruptions=data.disruptions,
        chair_name=signatures.get("chair", ""), clerk_name=signatures.get("clerk", ""),
        public_html=html, public_html_sha256=sha256_hex(html), minutes_sha256=minutes_sha256,
    )
    event.starts_at.FromDatetime(utc(data.starts_at))
    if data.ended_at is not None:
        event.ends_at.FromDatetime(utc(data.ended_at))
    event.signed_at.FromDatetime(utc(signed_at))
    for p in data.participants:
        event.participants.append(public_pb2.PublicMinutesSigned.Participant(
            name=p.name, party=p.party, role=p.role, presence=p.presence,
            person_id=p.person_id))
    for item in data.items:
        if not item.public:
            continue
        event.items.append(public_pb2.PublicMinutesSigned.Item(
            id=item.id, number=item.number, position=item.position, title=item.title,
            decision=item.decision, notes=item.notes,
            # Counted results only; cancelled and void polls are told in public_html.
            results=[_result(v) for v in item.votes if v.state == "closed"],
            conflicted_names=item.conflicted,
        ))
    return event
