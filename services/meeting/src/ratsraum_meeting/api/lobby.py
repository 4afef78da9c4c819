"""Joining by video, the lobby, admissions, heartbeats, check-in, and who is connected."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Reader, Runner, Voter, Voting
from ratsraum_meeting.attendance import service as attendance
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.lobby.schemas import (
    AdmissionOut,
    CapabilitiesOut,
    ConnectedOut,
    HeartbeatOut,
    JoinOut,
    LobbyEntryOut,
    SpanOut,
)
from ratsraum_meeting.meetings import service as meetings
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.polls import late
from ratsraum_meeting.publish.push import push_lobby, push_presence
from ratsraum_meeting.timeutil import utc
from ratsraum_meeting.video import service as video
from ratsraum_meeting.video.base import NotSupported, Participant, ProviderRoom, VideoError
from ratsraum_meeting.video.registry import ProviderSetup

router = APIRouter(prefix="/api/v1/meetings", tags=["lobby"])

_PROVIDER_DOWN = Msg(
    "Der Videokonferenzdienst antwortet nicht; bitte versuchen Sie es gleich noch einmal.",
    "The video conference service does not answer; please try again shortly.",
)


@router.get("/{meeting_id}/join", response_model=None)
async def join(
    meeting_id: str, principal: Voter, db: DB, request: Request, redirect: bool = False
) -> JoinOut | RedirectResponse:
    """Mint the member's provider link now; they wait in the lobby until admitted."""
    settings = request.app.state.settings
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        lobby.require_open(meeting)
        person = await lobby.require_seat(session, meeting=meeting, person_id=principal.subject)
        setup = await video.require_setup(session, body_id=meeting.body_id)
        entry = await lobby.request_join(session, meeting=meeting, person_id=person.id)
        state = entry.state
        chair = "chair" in principal.roles
        external = await video.external_id(session, person_id=person.id,
                                           provider=setup.provider)
    await push_lobby(db, tenant=principal.tenant, meeting_id=meeting.id)
    async with video.open_adapter(setup, settings) as adapter:
        try:
            room = await video.ensure_room(db, tenant=principal.tenant, meeting=meeting,
                                           adapter=adapter, settings=settings)
            link = await adapter.join_link(room=room, participant=Participant(
                person_id=person.id, display_name=person.name, moderator=chair,
                external_id=external))
        except VideoError as exc:
            raise Problem(502, "video-unavailable", _PROVIDER_DOWN) from exc
        caps = adapter.capabilities
    if redirect:
        return RedirectResponse(link.url, status_code=303)
    return JoinOut(
        provider=setup.provider, url=link.url, personal=link.personal, lobby=state,
        capabilities=CapabilitiesOut(
            personal_links=caps.personal_links, admission=caps.admission,
            presence=sorted(caps.presence), stream_control=caps.stream_control,
            webhooks=caps.webhooks),
    )


@router.get("/{meeting_id}/lobby")
async def list_lobby(meeting_id: str, principal: Runner, db: DB) -> list[LobbyEntryOut]:
    """Who waits in the lobby."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        rows = await lobby.waiting(session, meeting=meeting)
    return [LobbyEntryOut(person_id=r.person_id, name=r.name, requested_at=r.at) for r in rows]


@router.post("/{meeting_id}/lobby/{person_id}/admit")
async def admit(
    meeting_id: str, person_id: str, principal: Runner, db: DB, request: Request
) -> AdmissionOut:
    """Admit a waiting member (logged: who, when, by whom); they now count as present."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        person = await lobby.require_seat(session, meeting=meeting, person_id=person_id)
        entry = await lobby.admit(session, meeting=meeting, person_id=person_id,
                                  admitted_by=principal.subject)
        participant_id = entry.provider_participant_id
        setup = await video.setup_for(session, body_id=meeting.body_id)
        room = await video.find_room(session, meeting_id=meeting.id)
        logged = (await lobby.admissions(session, meeting=meeting))[-1]
    live.notify(tenant=principal.tenant, meeting_id=meeting.id, kind="admitted", data={
        "person_id": person.id, "name": person.name, "admitted_by": logged.by,
        "at": logged.at.isoformat()})
    await push_lobby(db, tenant=principal.tenant, meeting_id=meeting.id)
    await push_presence(db, tenant=principal.tenant, meeting_id=meeting.id)
    await late.on_arrival(db=db, voting=request.app.state.voting, tenant=principal.tenant,
                          meeting_id=meeting.id, person_id=person.id, how="zugelassen",
                          by=principal.subject)
    if setup is not None and room is not None and participant_id:
        await _admit_at_provider(setup, request, room, participant_id)
    return AdmissionOut(person_id=person.id, name=person.name, at=logged.at,
                        admitted_by=logged.by)


async def _admit_at_provider(setup: ProviderSetup, request: Request,
                             room: ProviderRoom, participant_id: str) -> None:
    """Let the member in at the provider too, where its API allows it."""
    async with video.open_adapter(setup, request.app.state.settings) as adapter:
        if adapter.capabilities.admission != "api":
            return
        try:
            await adapter.admit(room=room, provider_participant_id=participant_id)
        except (NotSupported, VideoError) as exc:
            # Our admission is recorded; the clerk can still admit in the provider's client.
            raise Problem(502, "video-unavailable", _PROVIDER_DOWN) from exc


@router.get("/{meeting_id}/admissions")
async def list_admissions(meeting_id: str, principal: Runner, db: DB) -> list[AdmissionOut]:
    """The admission log: who, when, by whom."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        rows = await lobby.admissions(session, meeting=meeting)
    return [AdmissionOut(person_id=r.person_id, name=r.name, at=r.at, admitted_by=r.by)
            for r in rows]


@router.post("/{meeting_id}/heartbeat")
async def heartbeat(meeting_id: str, principal: Voter, db: DB) -> HeartbeatOut:
    """The member's app is alive; missing heartbeats make an admitted member leave."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        await lobby.require_seat(session, meeting=meeting, person_id=principal.subject)
        entry = await lobby.heartbeat(session, meeting=meeting, person_id=principal.subject)
    return HeartbeatOut(lobby=entry.state)


@router.post("/{meeting_id}/check-in")
async def check_in(meeting_id: str, principal: Voter, db: DB, voting: Voting) -> ConnectedOut:
    """The member checks in as present in the chamber."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        lobby.require_open(meeting)
        person = await lobby.require_seat(session, meeting=meeting, person_id=principal.subject)
        await lobby.record_presence(session, meeting=meeting, person_id=person.id,
                                    presence="in_room", by=principal.subject)
        rows = await _connected(session, meeting)
    await push_presence(db, tenant=principal.tenant, meeting_id=meeting.id)
    await late.on_arrival(db=db, voting=voting, tenant=principal.tenant, meeting_id=meeting.id,
                          person_id=person.id, how="eingecheckt", by=principal.subject)
    return next(r for r in rows if r.person_id == person.id)


@router.get("/{meeting_id}/connected")
async def connected(meeting_id: str, principal: Reader, db: DB) -> list[ConnectedOut]:
    """Who is present now (room or remote), with join and leave times."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        return await _connected(session, meeting)


async def _connected(session: AsyncSession, meeting: Meeting) -> list[ConnectedOut]:
    rows = await attendance.list_attendance(session, meeting=meeting)
    spans = await attendance.spans(session, meeting=meeting)
    return [
        ConnectedOut(
            person_id=r.person_id, name=r.name, presence=r.presence,
            since=utc(r.since) if r.since else None,
            spans=[SpanOut(presence=s.presence, joined_at=utc(s.joined_at),
                           left_at=utc(s.left_at) if s.left_at else None)
                   for s in spans if s.person_id == r.person_id],
        )
        for r in rows if r.presence in ("in_room", "remote")
    ]
