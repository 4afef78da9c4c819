"""A member's demand that the minutes record how they voted (Art. 54 Abs. 1 Satz 3 GO Bayern).

Where it applies: the body's rule profile decides (`own_vote_on_record`, on in the BY, HE, NI
and TH presets, off elsewhere but a town may switch it on per body; recording one's own open
vote harms no one).
What is recorded: the stored per-voter choice where the poll has one; open votes are only
counted, never stored per member, so there the member states the choice and the minutes mark it
as their own statement. Plausibility checks keep a statement from contradicting the record: the
member must be on record as having voted (unless it was a show of hands), and no more members
may state an option than it got votes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.problems import Problem
from ratsraum_meeting.meetings.models import AgendaItem, Membership
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.minutes import messages as m
from ratsraum_meeting.minutes.models import Minutes
from ratsraum_meeting.minutes.service import editable
from ratsraum_meeting.minutes.votes import CHOICE_LABELS
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.polls.service import conflicted_person_ids
from ratsraum_meeting.profiles.service import body_profile
from ratsraum_meeting.timeutil import now

Source = Literal["record", "declared"]
STATE_LABELS = {"open": "noch offen", "cancelled": "abgebrochen", "void": "ungültig"}


@dataclass(frozen=True, slots=True)
class OwnVoteRecorded:
    """What the minutes now state for the member."""

    poll_id: str
    person_id: str
    choice: str
    source: Source


async def _poll(session: AsyncSession, *, meeting_id: str, poll_id: str) -> tuple[Poll, Any]:
    meeting, body = await get_meeting(session, meeting_id=meeting_id)
    poll = await session.get(Poll, poll_id)
    if poll is None or poll.meeting_id != meeting.id:
        raise Problem(404, "poll-not-found", m.POLL_NOT_FOUND)
    profile = (await body_profile(session, body=body)).profile
    if not profile.own_vote_on_record:
        raise Problem(409, "own-vote-not-provided", m.OWN_VOTE_NOT_PROVIDED,
                      profile=profile.code)
    return poll, body


def _check_poll(poll: Poll) -> dict[str, Any]:
    result = dict(poll.result or {})
    if poll.state != "closed":
        raise Problem(409, "poll-not-counted", m.OWN_VOTE_NOT_CLOSED,
                      state=STATE_LABELS.get(poll.state, poll.state))
    if poll.method == "secret":
        raise Problem(409, "poll-secret", m.OWN_VOTE_SECRET)
    if poll.method == "roll_call" and not result.get("show_of_hands"):
        raise Problem(409, "poll-roll-call", m.OWN_VOTE_NAMED)
    return result


async def _check_voter(session: AsyncSession, *, poll: Poll, body_id: str,
                       person_id: str) -> None:
    seat = await session.scalar(select(Membership.id).where(
        Membership.body_id == body_id, Membership.person_id == person_id))
    if seat is None:
        raise Problem(404, "not-a-member", m.NOT_A_MEMBER)
    item = await session.get(AgendaItem, poll.agenda_item_id)
    if item is not None and person_id in await conflicted_person_ids(session, item=item):
        raise Problem(409, "conflicted", m.OWN_VOTE_CONFLICTED)


def _options(result: dict[str, Any]) -> dict[str, int]:
    """Option id -> votes counted (yes/no/abstain for motions, candidates for elections)."""
    counted = {str(c.get("option_id")): int(c.get("count", 0)) for c in result.get("counts", [])}
    return counted or {o: int(result.get(o, 0)) for o in ("yes", "no", "abstain") if o in result}


def _choice(result: dict[str, Any], *, person_id: str, stated: str | None,
            others: dict[str, dict[str, str]]) -> tuple[str, Source]:
    """The choice to record and its source, or a problem explaining why it cannot be."""
    stored = next((str(v.get("choice")) for v in result.get("named_votes", [])
                   if v.get("person_id") == person_id), None)
    if stored is not None:
        if stated is not None and stated != stored:
            raise Problem(409, "contradicts-record", m.OWN_VOTE_CONTRADICTS,
                          recorded=CHOICE_LABELS.get(stored, stored))
        return stored, "record"
    if stated is None:
        raise Problem(422, "choice-needed", m.OWN_VOTE_CHOICE_NEEDED)
    options = _options(result)
    if stated not in options:
        raise Problem(422, "invalid-choice", m.OWN_VOTE_INVALID_CHOICE, choice=stated,
                      options=", ".join(options))
    voted = result.get("voted") or []
    if not result.get("show_of_hands") and person_id not in voted:
        raise Problem(409, "did-not-vote", m.OWN_VOTE_DID_NOT_VOTE)
    same = sum(1 for pid, e in others.items() if pid != person_id and e.get("choice") == stated)
    if same + 1 > options[stated]:
        raise Problem(409, "implausible", m.OWN_VOTE_IMPLAUSIBLE,
                      choice=CHOICE_LABELS.get(stated, stated), count=options[stated])
    return stated, "declared"


async def record(
    session: AsyncSession, *, meeting_id: str, poll_id: str, person_id: str,
    choice: str | None, by: str,
) -> OwnVoteRecorded:
    """Record in the draft minutes how the member voted; refused once the minutes are sealed."""
    poll, body = await _poll(session, meeting_id=meeting_id, poll_id=poll_id)
    result = _check_poll(poll)
    await _check_voter(session, poll=poll, body_id=body.id, person_id=person_id)
    current = await session.get(Minutes, meeting_id)
    if current is not None and current.sha256 is not None:
        raise Problem(409, "minutes-signed", m.SEALED)
    stored: dict[str, dict[str, dict[str, str]]] = (
        current.texts.get("own_votes", {}) if current is not None else {})
    others = stored.get(poll.id, {})
    chosen, source = _choice(result, person_id=person_id, stated=choice, others=others)
    minutes = await editable(session, meeting_id=meeting_id, by=by)
    entry = {"choice": chosen, "source": source, "at": now().isoformat(), "by": by}
    minutes.texts = {**minutes.texts,
                     "own_votes": {**stored, poll.id: {**others, person_id: entry}}}
    return OwnVoteRecorded(poll_id=poll.id, person_id=person_id, choice=chosen, source=source)


async def withdraw(
    session: AsyncSession, *, meeting_id: str, poll_id: str, person_id: str, by: str
) -> None:
    """Take back the demand before the minutes are signed."""
    poll, _body = await _poll(session, meeting_id=meeting_id, poll_id=poll_id)
    minutes = await session.get(Minutes, meeting_id)
    stored: dict[str, dict[str, Any]] = minutes.texts.get("own_votes", {}) if minutes else {}
    if person_id not in stored.get(poll.id, {}):
        raise Problem(404, "own-vote-not-recorded", m.OWN_VOTE_NOT_RECORDED)
    minutes = await editable(session, meeting_id=meeting_id, by=by)
    remaining = {k: v for k, v in stored[poll.id].items() if k != person_id}
    minutes.texts = {**minutes.texts, "own_votes": {**stored, poll.id: remaining}}
