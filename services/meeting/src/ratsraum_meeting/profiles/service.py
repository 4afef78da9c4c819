"""Reading and setting a body's rule profile; the checks the profile imposes on presence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.attendance.models import Attendance
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.models import Body, Meeting, Membership
from ratsraum_meeting.profiles.effective import InvalidProfile, effective
from ratsraum_meeting.profiles.hybrid_conditions import ensure_session_allowed
from ratsraum_meeting.profiles.models import BodyRuleSettings
from ratsraum_meeting.profiles.presets import DEFAULT_KIND, RuleProfile
from ratsraum_meeting.timeutil import now

BODY_NOT_FOUND = Msg(
    "Dieses Gremium gibt es nicht (oder nicht in Ihrer Kommune).",
    "There is no such body (or not in your town).",
)
INVALID_PROFILE = Msg(
    "Das Regelprofil ist so nicht gültig; es wurde nichts geändert: {errors}",
    "The rule profile is not valid like this; nothing was changed: {errors}",
)
HYBRID_NOT_ALLOWED = Msg(
    "Nach dem Regelprofil {profile} darf dieses Gremium nicht hybrid tagen; eine Teilnahme per "
    "Video ist nicht möglich.",
    "Under rule profile {profile} this body may not meet hybrid; remote participation is not "
    "possible.",
)
REMOTE_CAP_REACHED = Msg(
    "Nach dem Regelprofil {profile} dürfen höchstens {cap} Mitglieder per Video teilnehmen; "
    "diese Zahl ist erreicht.",
    "Under rule profile {profile} at most {cap} members may take part remotely; that number is "
    "reached.",
)
CHAIR_IN_ROOM = Msg(
    "Nach dem Regelprofil {profile} muss die Sitzungsleitung im Sitzungsraum anwesend sein.",
    "Under rule profile {profile} the chair must be present in the meeting room.",
)


@dataclass(frozen=True, slots=True)
class BodyProfile:
    """A body's preset, kind and overrides, and the effective profile they give."""

    body: Body
    preset: str
    kind: str
    overrides: dict[str, Any]
    profile: RuleProfile


async def get_body(session: AsyncSession, *, body_id: str) -> Body:
    """A body of the session's town, or a 404 problem."""
    body = await session.get(Body, body_id)
    if body is None:
        raise Problem(404, "body-not-found", BODY_NOT_FOUND)
    return body


async def body_profile(session: AsyncSession, *, body: Body) -> BodyProfile:
    """The effective rule profile of a body (its preset plus the town's overrides)."""
    settings = await session.get(BodyRuleSettings, body.id)
    kind = settings.kind if settings is not None else DEFAULT_KIND
    overrides = dict(settings.overrides) if settings is not None else {}
    try:
        profile = effective(body.rule_profile, overrides)
    except InvalidProfile as exc:
        # Stored values were valid when written; a preset since renamed must not go unnoticed.
        raise Problem(500, "invalid-stored-profile", INVALID_PROFILE,
                      errors=" ".join(exc.errors)) from exc
    return BodyProfile(body=body, preset=body.rule_profile, kind=kind, overrides=overrides,
                       profile=profile)


async def set_body_profile(
    session: AsyncSession, *, body_id: str, preset: str, kind: str,
    overrides: dict[str, Any], updated_by: str,
) -> BodyProfile:
    """Choose a body's preset, kind and overrides, after validating the effective profile."""
    body = await get_body(session, body_id=body_id)
    try:
        effective(preset, overrides)
    except InvalidProfile as exc:
        raise Problem(422, "invalid-rule-profile", INVALID_PROFILE,
                      errors=" ".join(exc.errors)) from exc
    settings = await session.get(BodyRuleSettings, body.id)
    if settings is None:
        settings = BodyRuleSettings(body_id=body.id)
        session.add(settings)
    body.rule_profile = preset
    settings.kind, settings.overrides = kind, dict(overrides)
    settings.updated_by, settings.updated_at = updated_by, now()
    await session.flush()
    # The formula decides quorum: every meeting of the body not yet closed shows it anew.
    for meeting in await meetings_not_closed(session, body_id=body.id):
        public_view_changed(session, meeting_id=meeting.id)
    return await body_profile(session, body=body)


async def meetings_not_closed(session: AsyncSession, *, body_id: str) -> list[Meeting]:
    """The body's meetings a profile change still matters for (scheduled, running, ...)."""
    return list((await session.scalars(select(Meeting).where(
        Meeting.body_id == body_id, Meeting.status != "closed"))).all())


def presence_refusal(
    *, profile: RuleProfile, kind: str, presence: str, is_chair: bool, remote_now: int,
) -> Problem | None:
    """Why the profile forbids recording this presence, or None if it is allowed.

    `remote_now` counts the other members connected remotely at this moment.
    """
    if presence != "remote":
        return None
    if not profile.hybrid_allowed or kind in profile.hybrid_excluded_kinds:
        return Problem(409, "hybrid-not-allowed", HYBRID_NOT_ALLOWED, profile=profile.code)
    if is_chair and profile.chair_in_room:
        return Problem(409, "chair-must-be-in-room", CHAIR_IN_ROOM, profile=profile.code)
    cap = profile.max_remote_members
    if cap is not None and remote_now >= cap:
        return Problem(409, "remote-cap-reached", REMOTE_CAP_REACHED, profile=profile.code,
                       cap=cap)
    return None


async def check_presence(
    session: AsyncSession, *, meeting: Meeting, body: Body, person_id: str, presence: str
) -> None:
    """Raise the profile's refusal if this member may not take part in this way."""
    if presence != "remote":
        return
    bp = await body_profile(session, body=body)
    role = await session.scalar(select(Membership.role).where(
        Membership.body_id == body.id, Membership.person_id == person_id))
    remote_now = await session.scalar(
        select(func.count()).select_from(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.presence == "remote",
            Attendance.person_id != person_id))
    refusal = presence_refusal(profile=bp.profile, kind=bp.kind, presence=presence,
                               is_chair=role == "chair", remote_now=int(remote_now or 0))
    if refusal is not None:
        raise refusal
    # The law's conditions for a session with remote members (issue 15; docs/law.md).
    await ensure_session_allowed(session, meeting=meeting, body=body, joining=person_id)
