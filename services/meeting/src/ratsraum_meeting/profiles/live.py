"""What the body's profile makes of the live state: quorum and the method members asked for."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.attendance.service import count_present, present_person_ids
from ratsraum_meeting.conflicts.service import conflicted_ids, vote_request_counts
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting
from ratsraum_meeting.profiles import quorum
from ratsraum_meeting.profiles.presets import RuleProfile, Threshold
from ratsraum_meeting.profiles.service import body_profile


async def live_quorum(
    session: AsyncSession, *, meeting: Meeting, body: Body, item: AgendaItem | None = None,
    profile: RuleProfile | None = None, left_off: Collection[str] = (),
    left_off_source: str = "",
) -> quorum.QuorumResult:
    """The quorum now by the body's effective profile; for an item, without its conflicted.

    For one ballot, `left_off` are remote members the law takes out of its count as well
    (law_gate: the profile's remote_left_off_leave_quorum, cited as `left_off_source`).
    """
    profile = profile or (await body_profile(session, body=body)).profile
    if item is None:
        # No conflicts to subtract: a COUNT, not every present member's id (the public
        # snapshot asks for this on every change, up to 5x/s while a vote runs).
        present, conflicted_present, conflicted = await count_present(
            session, meeting=meeting), 0, 0
        left_off = ()
    else:
        ids = await present_person_ids(session, meeting=meeting)
        excluded = await conflicted_ids(session, item=item)
        present, conflicted_present = len(ids), len(excluded.intersection(ids))
        conflicted = len(excluded)
        # Only present members who are not conflicted can be left off a roll.
        left_off = set(left_off).intersection(ids).difference(excluded)
    return quorum.evaluate(
        rule=profile.code, present=present, statutory_members=body.statutory_members,
        conflicted_present=conflicted_present, conflicted=conflicted,
        formula=profile.quorum_formula, source=profile.quorum_source,
        fallback=profile.quorum_conflict_fallback, left_off=len(left_off),
        left_off_source=left_off_source,
    )


@dataclass(frozen=True, slots=True)
class RequestState:
    """One kind of requested vote: how many asked, how many are needed, whether reached."""

    kind: str
    count: int
    required: int | None
    threshold: str | None
    reached: bool


def _state(kind: str, count: int, threshold: Threshold | None, members: int) -> RequestState:
    if threshold is None:
        return RequestState(kind, count, None, None, False)
    required = threshold.required(members)
    return RequestState(kind, count, required, threshold.describe(), count >= required)


async def request_states(
    session: AsyncSession, *, body: Body, item: AgendaItem, profile: RuleProfile,
) -> tuple[RequestState, RequestState]:
    """The roll-call and secret requests on an item against the profile's thresholds."""
    counts = await vote_request_counts(session, item=item)
    members = body.statutory_members
    return (_state("roll_call", counts["roll_call"], profile.roll_call_request, members),
            _state("secret", counts["secret"], profile.secret_request, members))


def requested_method(states: tuple[RequestState, RequestState]) -> str | None:
    """The method the requests demand: a secret request precedes a roll-call one."""
    roll_call, secret = states
    if secret.reached:
        return "secret"
    if roll_call.reached:
        return "roll_call"
    return None
