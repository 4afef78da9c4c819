"""Recording a meeting's hybrid conditions, and enforcing them when it opens, a member joins
remotely or a vote opens (the decisions themselves are in profiles/hybrid_rules.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.problems import Problem
from ratsraum_meeting.attendance.models import Attendance
from ratsraum_meeting.conflicts.models import Conflict
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Membership, Person
from ratsraum_meeting.profiles import hybrid_messages as m
from ratsraum_meeting.profiles.effective import effective
from ratsraum_meeting.profiles.hybrid_rules import (
    HybridRecord,
    Refusal,
    RemoteMember,
    poll_refusal,
    session_refusal,
)
from ratsraum_meeting.profiles.models import BodyRuleSettings, HybridConditions
from ratsraum_meeting.profiles.presets import DEFAULT_KIND, RuleProfile
from ratsraum_meeting.timeutil import now, utc

TOWN_ZONE = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True, slots=True)
class ConditionsInput:
    """What a clerk records; see HybridConditions for the meaning of each field."""

    emergency_declared_on: date | None = None
    emergency_declared_by: str | None = None
    emergency_note: str = ""
    emergency_confirmed_on: date | None = None
    two_thirds_decided_on: date | None = None
    two_thirds_yes: int | None = None
    supervisory_notified_on: date | None = None
    constituent_session: bool = False
    item_kinds: dict[str, str] | None = None
    remote_members: dict[str, dict[str, Any]] | None = None


def record_of(row: HybridConditions | None) -> HybridRecord:
    """The stored conditions as the pure rules read them (nothing recorded: all empty)."""
    if row is None:
        return HybridRecord()
    members = {person: RemoteMember(consent=bool(data.get("consent")),
                                    reason=str(data.get("reason", "")))
               for person, data in (row.remote_members or {}).items()}
    return HybridRecord(
        emergency_declared_on=row.emergency_declared_on,
        emergency_declared_by=row.emergency_declared_by,
        emergency_confirmed_on=row.emergency_confirmed_on,
        two_thirds_decided_on=row.two_thirds_decided_on, two_thirds_yes=row.two_thirds_yes,
        supervisory_notified_on=row.supervisory_notified_on,
        constituent_session=row.constituent_session,
        item_kinds=dict(row.item_kinds or {}), remote_members=members)


async def get_conditions(session: AsyncSession, *, meeting_id: str) -> HybridConditions | None:
    """What was recorded for the meeting, or None."""
    return await session.get(HybridConditions, meeting_id)


async def set_conditions(
    session: AsyncSession, *, meeting: Meeting, data: ConditionsInput, recorded_by: str,
) -> HybridConditions:
    """Record (replace) the meeting's hybrid conditions after checking items and members."""
    item_kinds = dict(data.item_kinds or {})
    if item_kinds:
        known = set((await session.scalars(select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.id.in_(item_kinds)))).all())
        for item_id in sorted(set(item_kinds) - known):
            raise Problem(422, "agenda-item-not-in-meeting", m.CONDITIONS_ITEM_UNKNOWN,
                          item=item_id)
    members = dict(data.remote_members or {})
    if members:
        seats = set((await session.scalars(select(Membership.person_id).where(
            Membership.body_id == meeting.body_id,
            Membership.person_id.in_(members)))).all())
        for person in sorted(set(members) - seats):
            raise Problem(422, "not-a-member", m.CONDITIONS_MEMBER_UNKNOWN, person=person)
    row = await session.get(HybridConditions, meeting.id)
    if row is None:
        row = HybridConditions(meeting_id=meeting.id)
        session.add(row)
    for name in ("emergency_declared_on", "emergency_declared_by", "emergency_confirmed_on",
                 "two_thirds_decided_on", "two_thirds_yes", "supervisory_notified_on",
                 "constituent_session"):
        setattr(row, name, getattr(data, name))
    row.emergency_note = data.emergency_note
    row.item_kinds, row.remote_members = item_kinds, members
    row.recorded_by, row.recorded_at = recorded_by, now()
    await session.flush()
    return row


def _problem(refusal: Refusal) -> Problem:
    return Problem(409, refusal.code, refusal.msg, **refusal.values)


def meeting_day(meeting: Meeting) -> date:
    """The calendar day of the meeting in the town's time zone."""
    return utc(meeting.started_at or meeting.starts_at).astimezone(TOWN_ZONE).date()


async def body_rules(session: AsyncSession, *, body: Body) -> tuple[RuleProfile, str]:
    """The body's effective profile and kind (profiles.service.body_profile, without the
    import: that module calls into this one)."""
    settings = await session.get(BodyRuleSettings, body.id)
    if settings is None:
        return effective(body.rule_profile, {}), DEFAULT_KIND
    return effective(body.rule_profile, dict(settings.overrides)), settings.kind


async def _remote_ids(session: AsyncSession, *, meeting_id: str) -> set[str]:
    return set((await session.scalars(select(Attendance.person_id).where(
        Attendance.meeting_id == meeting_id, Attendance.presence == "remote"))).all())


async def held_since(session: AsyncSession, *, meeting: Meeting, record: HybridRecord) -> int:
    """Sessions of the meeting's body held on or after the emergency's declaration day and
    before this meeting (those that could have decided on its continuance)."""
    declared = record.emergency_declared_on
    if declared is None:
        return 0
    since = datetime.combine(declared, time.min, tzinfo=TOWN_ZONE)
    before = utc(meeting.started_at or meeting.starts_at)
    count = await session.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.body_id == meeting.body_id, Meeting.id != meeting.id,
        Meeting.started_at.is_not(None), Meeting.started_at >= since,
        Meeting.started_at < before))
    return int(count or 0)


async def ensure_session_allowed(
    session: AsyncSession, *, meeting: Meeting, body: Body, joining: str | None = None,
) -> None:
    """Refuse (409, citing the rule) if the meeting may not run with its remote members.

    `joining` is a member about to be recorded as remote, counted with those already remote.
    """
    remote = await _remote_ids(session, meeting_id=meeting.id)
    if joining is not None:
        remote.add(joining)
    if not remote:
        return
    profile, kind = await body_rules(session, body=body)
    names = dict((await session.execute(select(Person.id, Person.name).where(
        Person.id.in_(remote)))).tuples().all())
    record = record_of(await get_conditions(session, meeting_id=meeting.id))
    refusal = session_refusal(
        profile=profile, kind=kind, record=record,
        meeting_day=meeting_day(meeting), statutory_members=body.statutory_members,
        remote_ids=remote, names=names,
        held_since_declaration=await held_since(session, meeting=meeting, record=record))
    if refusal is not None:
        raise _problem(refusal)


async def ensure_poll_allowed(
    session: AsyncSession, *, meeting_id: str, item_id: str, method: str, election: bool,
    roll: Collection[str] | None = None,
) -> None:
    """Refuse (409, citing the rule) a vote the law bars now: its kind, its item, or remote
    members without a certified voting system (those on `roll`; default: all not conflicted)."""
    meeting = await session.get(Meeting, meeting_id)
    body = None if meeting is None else await session.get(Body, meeting.body_id)
    if meeting is None or body is None:
        raise Problem(404, "meeting-not-found", m.CONDITIONS_NOT_FOUND)
    profile, _kind = await body_rules(session, body=body)
    remote = await _remote_ids(session, meeting_id=meeting_id)
    if roll is None:
        roll = remote - set((await session.scalars(select(Conflict.person_id).where(
            Conflict.agenda_item_id == item_id, Conflict.withdrawn_at.is_(None)))).all())
    refusal = poll_refusal(
        profile=profile, record=record_of(await get_conditions(session, meeting_id=meeting_id)),
        item_id=item_id, method=method, election=election, remote_in_session=len(remote),
        remote_on_roll=len(remote.intersection(roll)))
    if refusal is not None:
        raise _problem(refusal)
