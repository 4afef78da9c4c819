"""The public snapshot of a meeting: the one place that decides what the public may see.

Used for the `public.meeting.updated` event and for the portal's gRPC backfill alike. Only
public agenda items go in; a closed-part item, its title and its result never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.meeting.v1 import public_pb2
from ratsraum_meeting.agenda.models import AgendaCall
from ratsraum_meeting.attendance.service import present_names
from ratsraum_meeting.livestream.service import refusals
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Tenant
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.profiles.live import live_quorum
from ratsraum_meeting.profiles.quorum import QuorumResult
from ratsraum_meeting.questions.models import CitizenQuestion
from ratsraum_meeting.questions.service import approved as approved_questions
from ratsraum_meeting.timeutil import now, utc

# A session under way (also while interrupted): its public part has live parts.
LIVE = frozenset({"running", "interrupted"})


def _public_result(poll: Poll) -> public_pb2.PublicVoteResult:
    result: dict[str, Any] = poll.result or {}
    message = public_pb2.PublicVoteResult(
        poll_id=poll.id,
        method=poll.method,
        outcome=str(result.get("outcome", "")),
        explanation=str(result.get("explanation", "")),
        yes=int(result.get("yes", 0)),
        no=int(result.get("no", 0)),
        abstain=int(result.get("abstain", 0)),
        roll_size=int(result.get("roll_size", poll.roll_size)),
        ballots_cast=int(result.get("ballots_cast", poll.ballots_cast)),
        show_of_hands=bool(result.get("show_of_hands", False)),
        majority_rule=poll.majority_rule or "",
        record_sha256=str(result.get("record_sha256", "")),
    )
    if poll.closed_at is not None:
        message.closed_at.FromDatetime(utc(poll.closed_at))
    if poll.method == "roll_call":
        for vote in result.get("named_votes", []):
            message.named_votes.append(
                public_pb2.PublicNamedVote(name=str(vote["name"]), option_id=str(vote["choice"]))
            )
    return message


def _latest_polls(polls: Sequence[Poll]) -> dict[str, Poll]:
    latest: dict[str, Poll] = {}
    for poll in sorted(polls, key=lambda p: utc(p.opened_at)):
        latest[poll.agenda_item_id] = poll
    return latest


def _counted_polls(polls: Sequence[Poll]) -> dict[str, list[Poll]]:
    """Every counted vote per item, oldest first: re-runs and runoffs keep the earlier ones."""
    counted: dict[str, list[Poll]] = {}
    for poll in sorted(polls, key=lambda p: utc(p.opened_at)):
        if poll.state == "closed" and poll.result is not None:
            counted.setdefault(poll.agenda_item_id, []).append(poll)
    return counted


def build_public_meeting(
    *,
    tenant: Tenant,
    body: Body,
    meeting: Meeting,
    items: Sequence[AgendaItem],
    polls: Sequence[Poll],
    quorum: QuorumResult,
    updated_at: datetime,
    current_item_id: str | None = None,
    questions: Sequence[CitizenQuestion] = (),
    attendees: Sequence[tuple[str, str]] = (),
    refused_names: Sequence[str] = (),
) -> public_pb2.PublicMeeting:
    """The public view of a meeting from its rows (pure: no database, no clock)."""
    snapshot = public_pb2.PublicMeeting(
        tenant=public_pb2.PublicTenant(id=tenant.id, name=tenant.name),
        id=meeting.id,
        body_name=body.name,
        title=meeting.title,
        location=meeting.location,
        status=meeting.status,
        present=quorum.present,
        members=body.statutory_members,
        quorate=quorum.quorate,
        version=meeting.version,
        body_id=body.id,
        citizen_room=meeting.citizen_room or "",
    )
    snapshot.starts_at.FromDatetime(utc(meeting.starts_at))
    snapshot.updated_at.FromDatetime(utc(updated_at))
    own_polls = [p for p in polls if p.meeting_id == meeting.id]
    latest, counted = _latest_polls(own_polls), _counted_polls(own_polls)
    for item in sorted(items, key=lambda i: i.position):
        if not item.public or item.meeting_id != meeting.id:
            continue
        public_item = public_pb2.PublicAgendaItem(
            id=item.id, number=item.number, position=item.position, title=item.title,
            status=item.status, paper_id=item.paper_id or "",
        )
        poll = latest.get(item.id)
        if poll is not None and poll.state == "open":
            public_item.live_vote.CopyFrom(public_pb2.PublicLiveVote(
                poll_id=poll.id, ballots_cast=poll.ballots_cast, roll_size=poll.roll_size,
            ))
        elif poll is not None and poll.result is not None:
            public_item.result.CopyFrom(_public_result(poll))
        public_item.results.extend(_public_result(p) for p in counted.get(item.id, []))
        snapshot.agenda.append(public_item)
        # Named only when public: a closed-part item under way leaves the field empty.
        if item.id == current_item_id:
            snapshot.current_item_id = item.id
    for question in questions:
        # Approved only, and name, question and answer only: the mail address never.
        if question.status == "approved" and question.meeting_id == meeting.id:
            snapshot.citizen_questions.append(public_pb2.PublicCitizenQuestion(
                id=question.id, author=question.author, text=question.text,
                answer=question.answer or ""))
    # Which closed item is under way stays secret; that the closed part runs does not.
    snapshot.closed_part = current_item_id is not None and any(
        i.id == current_item_id and not i.public for i in items)
    if meeting.status in LIVE and not snapshot.closed_part:
        # Who is present, by name, and the stream: the public part only; both end with it.
        for name, presence in attendees:
            snapshot.attendees.append(public_pb2.PublicAttendee(name=name, presence=presence))
        if meeting.stream_url:
            snapshot.stream.CopyFrom(public_pb2.PublicStream(
                url=meeting.stream_url, captions_url=meeting.stream_captions_url or "",
                refused_names=list(refused_names)))
    return snapshot


async def load_public_meeting(
    session: AsyncSession, meeting_id: str
) -> public_pb2.PublicMeeting | None:
    """The public view of a meeting of the session's tenant, or None if unknown."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    body = await session.get(Body, meeting.body_id)
    tenant = await session.get(Tenant, meeting.tenant_id)
    if body is None or tenant is None:
        return None
    items = (await session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
    )).all()
    polls = (await session.scalars(select(Poll).where(Poll.meeting_id == meeting.id))).all()
    quorum = await live_quorum(session, meeting=meeting, body=body)
    current = await session.scalar(select(AgendaCall.agenda_item_id).where(
        AgendaCall.meeting_id == meeting.id, AgendaCall.left_at.is_(None)))
    live = meeting.status in LIVE
    refused = (await refusals(session, meeting_id=meeting.id)
               if live and meeting.stream_url else [])
    return build_public_meeting(
        tenant=tenant, body=body, meeting=meeting, items=items, polls=polls, quorum=quorum,
        updated_at=now(), current_item_id=current,
        questions=await approved_questions(session, meeting_id=meeting.id),
        attendees=await present_names(session, meeting=meeting) if live else (),
        refused_names=[r.name for r in refused],
    )
