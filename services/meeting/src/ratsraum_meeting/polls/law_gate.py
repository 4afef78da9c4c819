"""The one law check of every vote, whether opened, re-run after a disruption or a runoff.

The body is quorate, the law allows this vote now (profiles.hybrid_conditions), and the roll
is the members present minus the conflicted and minus remote members the law keeps out of
this kind of ballot (BY, BW, BB: they stay present, but may not take part in it). Where the
law counts for the quorum only members present and entitled to vote in this ballot (BY, BW)
or keeps them out of the item altogether (BB), the quorum is checked again without them
(profile rule remote_left_off_leave_quorum); the minutes say which and cite it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.problems import Problem
from ratsraum_meeting.attendance.models import Attendance
from ratsraum_meeting.attendance.service import present_person_ids
from ratsraum_meeting.conflicts.service import conflicted_ids
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Person
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls.models import Poll, PollLogEntry
from ratsraum_meeting.profiles.hybrid_conditions import ensure_poll_allowed
from ratsraum_meeting.profiles.hybrid_rules import citation
from ratsraum_meeting.profiles.live import live_quorum
from ratsraum_meeting.profiles.presets import RuleProfile
from ratsraum_meeting.profiles.quorum import QuorumResult

EXCLUDED_LOG_KIND = "remote_excluded"
KIND_DE = {"secret": "geheimen Abstimmung", "election": "Wahl"}
KIND_EN = {"secret": "secret vote", "election": "election"}


@dataclass(frozen=True, slots=True)
class RemoteExclusion:
    """Remote members left off one vote's roll, and the rule that keeps them off."""

    person_ids: list[str]
    names: list[str]
    ballot: str  # "secret" or "election"
    cite: str
    # Whether they also left this ballot's quorum count, the rule that says so, and the
    # quorum as checked for it (set by checked_roll).
    leave_quorum: bool = False
    quorum_cite: str = ""
    quorum: QuorumResult | None = None

    def values(self) -> dict[str, Any]:
        """The placeholders of polls.messages.REMOTE_EXCLUDED."""
        return {"names": ", ".join(self.names), "kind": KIND_DE[self.ballot],
                "kind_en": KIND_EN[self.ballot], "cite": self.cite}

    def quorum_data(self) -> dict[str, Any]:
        """How this ballot's quorum counted them, with the citation (for the minutes)."""
        if self.quorum is None:
            return {}
        msg = m.REMOTE_LEAVE_QUORUM if self.leave_quorum else m.REMOTE_STAY_IN_QUORUM
        values = {"cite": self.quorum_cite, "quorum": self.quorum.explanation,
                  "quorum_en": self.quorum.explanation_en}
        return {"left_off": self.leave_quorum, "cite": self.quorum_cite,
                "counted": self.quorum.present, "required": self.quorum.required,
                "detail_de": msg.render("de", **values), "detail_en": msg.render("en", **values)}

    def as_data(self) -> dict[str, Any]:
        """What the poll log keeps, and the API and the minutes show."""
        values = self.values()
        return {"persons": self.person_ids, "names": self.names, "ballot": self.ballot,
                "cite": self.cite, "detail_de": m.REMOTE_EXCLUDED.render("de", **values),
                "detail_en": m.REMOTE_EXCLUDED.render("en", **values),
                "quorum": self.quorum_data()}


@dataclass(frozen=True, slots=True)
class CheckedRoll:
    """Who votes, after every check the law makes of this vote."""

    roll: list[str]
    excluded: RemoteExclusion | None


async def eligible_roll(session: AsyncSession, *, meeting: Meeting, item: AgendaItem) -> list[str]:
    """Members present now, minus those with a conflict of interest on the item."""
    conflicted = await conflicted_ids(session, item=item)
    return [p for p in await present_person_ids(session, meeting=meeting) if p not in conflicted]


def require_quorate(quorum: QuorumResult, *, roll: list[str] | None = None) -> None:
    """The one not-quorate gate: a vote opens (or is re-run) only while the body is quorate.

    A re-run passes its fresh roll, and an empty one is refused the same way.
    """
    if not quorum.quorate or roll == []:
        raise Problem(409, "not-quorate", m.NOT_QUORATE_RULE, de=quorum.explanation,
                      en=quorum.explanation_en)


def barred_ballot(*, profile: RuleProfile, method: str, election: bool) -> str | None:
    """The ballot remote members may not take part in ("election", "secret"), else None."""
    if election and not profile.remote_in_elections:
        return "election"
    if method == "secret" and not election and not profile.remote_in_secret_votes:
        return "secret"
    return None


def is_election(poll: Poll) -> bool:
    """An election of persons, open or secret (its majority rule says so)."""
    return poll.method == "election" or poll.majority_rule == "election"


async def _remote_exclusion(session: AsyncSession, *, meeting: Meeting, profile: RuleProfile,
                            roll: list[str], ballot: str) -> RemoteExclusion | None:
    remote = sorted((await session.scalars(select(Attendance.person_id).where(
        Attendance.meeting_id == meeting.id, Attendance.presence == "remote",
        Attendance.person_id.in_(roll)))).all()) if roll else []
    if not remote:
        return None
    names = dict((await session.execute(select(Person.id, Person.name).where(
        Person.id.in_(remote)))).tuples().all())
    rule = "remote_in_elections" if ballot == "election" else "remote_in_secret_votes"
    return RemoteExclusion(person_ids=remote, names=[names.get(p, p) for p in remote],
                           ballot=ballot, cite=citation(profile, rule))


async def checked_roll(
    session: AsyncSession, *, meeting: Meeting, body: Body, item: AgendaItem,
    profile: RuleProfile, method: str, election: bool,
) -> CheckedRoll:
    """Refuse the vote where the law bars it now; else the roll it is held with."""
    quorum = await live_quorum(session, meeting=meeting, body=body, item=item, profile=profile)
    require_quorate(quorum)
    roll = await eligible_roll(session, meeting=meeting, item=item)
    ballot = barred_ballot(profile=profile, method=method, election=election)
    excluded = None if ballot is None else await _remote_exclusion(
        session, meeting=meeting, profile=profile, roll=roll, ballot=ballot)
    if excluded is not None:
        roll = [p for p in roll if p not in excluded.person_ids]
        excluded = await _quorum_without(session, meeting=meeting, body=body, item=item,
                                         profile=profile, excluded=excluded)
        quorum = excluded.quorum or quorum
    await ensure_poll_allowed(session, meeting_id=meeting.id, item_id=item.id, method=method,
                              election=election, roll=roll)
    require_quorate(quorum, roll=roll)
    return CheckedRoll(roll=roll, excluded=excluded)


async def _quorum_without(
    session: AsyncSession, *, meeting: Meeting, body: Body, item: AgendaItem,
    profile: RuleProfile, excluded: RemoteExclusion,
) -> RemoteExclusion:
    """The ballot's quorum: without the left-off members where the law says so, else with."""
    leave = profile.remote_left_off_leave_quorum
    cite = citation(profile, "remote_left_off_leave_quorum")
    quorum = await live_quorum(session, meeting=meeting, body=body, item=item, profile=profile,
                               left_off=excluded.person_ids if leave else (),
                               left_off_source=cite)
    return replace(excluded, leave_quorum=leave, quorum_cite=cite, quorum=quorum)


def log_exclusion(session: AsyncSession, *, poll: Poll, excluded: RemoteExclusion | None,
                  by: str, at: datetime) -> None:
    """Keep who was left off the roll and why, for the minutes (no entry when nobody was)."""
    if excluded is not None:
        session.add(PollLogEntry(poll_id=poll.id, meeting_id=poll.meeting_id,
                                 kind=EXCLUDED_LOG_KIND, reason="", data=excluded.as_data(),
                                 by=by, at=at))


async def exclusions(session: AsyncSession, *, poll_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per poll, the remote members left off its roll (as_data), for the API and minutes."""
    if not poll_ids:
        return {}
    rows = await session.scalars(select(PollLogEntry).where(
        PollLogEntry.poll_id.in_(poll_ids), PollLogEntry.kind == EXCLUDED_LOG_KIND))
    return {row.poll_id: dict(row.data) for row in rows}


async def exclusion_of(*, db: Database, tenant: str, poll_id: str) -> dict[str, Any] | None:
    """The remote members left off one poll's roll, or None."""
    async with db.tenant_session(tenant) as session:
        return (await exclusions(session, poll_ids=[poll_id])).get(poll_id)
