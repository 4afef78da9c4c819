"""Video for a meeting: its provider configuration, its room, and links and events."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.config import Settings
from ratsraum_meeting.meetings.models import Meeting, Membership
from ratsraum_meeting.timeutil import now, utc
from ratsraum_meeting.video.base import ProviderRoom, VideoAdapter
from ratsraum_meeting.video.models import (
    VideoConfig,
    VideoIdentity,
    VideoRoom,
    VideoSubscription,
)
from ratsraum_meeting.video.registry import ProviderSetup, VideoConfigError, build_adapter

NOT_CONFIGURED = Msg(
    "Für dieses Gremium ist keine Videokonferenz eingerichtet; bitte wenden Sie sich an das "
    "Büro für Ratsangelegenheiten.",
    "No video conference is set up for this body; please contact the council office.",
)
MISCONFIGURED = Msg(
    "Die Videokonferenz ist unvollständig eingerichtet: {reason}",
    "The video conference is set up incompletely: {reason}",
)


async def setup_for(session: AsyncSession, *, body_id: str) -> ProviderSetup | None:
    """The body's own provider, else the town's default, else None."""
    rows = (await session.scalars(
        select(VideoConfig).where(VideoConfig.body_id.in_([body_id, ""])))).all()
    config = next((c for c in rows if c.body_id == body_id), None) or next(
        (c for c in rows if c.body_id == ""), None)
    if config is None:
        return None
    return ProviderSetup(config.provider, dict(config.options), dict(config.secret_env),
                         tenant=config.tenant_id)


async def require_setup(session: AsyncSession, *, body_id: str) -> ProviderSetup:
    """The provider setup, or a 409 problem telling the member whom to ask."""
    setup = await setup_for(session, body_id=body_id)
    if setup is None:
        raise Problem(409, "video-not-configured", NOT_CONFIGURED)
    return setup


@contextlib.asynccontextmanager
async def open_adapter(setup: ProviderSetup, settings: Settings) -> AsyncIterator[VideoAdapter]:
    """The adapter for one unit of work; its HTTP client is closed afterwards."""
    try:
        adapter = build_adapter(setup, settings)
    except VideoConfigError as exc:
        raise Problem(503, "video-misconfigured", MISCONFIGURED, reason=str(exc)) from exc
    try:
        yield adapter
    finally:
        await adapter.aclose()


def callback_url(settings: Settings, *, provider: str, tenant: str, meeting_id: str) -> str:
    """Where the provider posts events of this meeting (signed, so the query is no trust)."""
    query = urlencode({"tenant": tenant, "meeting": meeting_id})
    return f"{settings.public_api_url.rstrip('/')}/api/v1/video/{provider}/webhook?{query}"


async def find_room(session: AsyncSession, *, meeting_id: str) -> ProviderRoom | None:
    """The provider room of the meeting, if created."""
    row = await session.scalar(select(VideoRoom).where(VideoRoom.meeting_id == meeting_id))
    return ProviderRoom(room_id=row.room_id, join_url=row.join_url) if row else None


async def ensure_room(
    db: Database, *, tenant: str, meeting: Meeting, adapter: VideoAdapter, settings: Settings
) -> ProviderRoom:
    """The meeting's provider room, created at the provider on first use."""
    async with db.tenant_session(tenant) as session:
        room = await find_room(session, meeting_id=meeting.id)
    if room is not None:
        return room
    # The provider call happens outside any transaction: no lock is held while we wait.
    room = await adapter.create_room(
        key=meeting.id, title=meeting.title, starts_at=utc(meeting.starts_at),
        ends_at=utc(meeting.starts_at) + timedelta(hours=6),
        callback_url=callback_url(settings, provider=adapter.provider, tenant=tenant,
                                  meeting_id=meeting.id),
    )
    try:
        async with db.transaction(tenant) as session:
            session.add(VideoRoom(meeting_id=meeting.id, provider=adapter.provider,
                                  room_id=room.room_id, join_url=room.join_url, created_at=now()))
            # Kept so the renewer can keep them alive while the meeting runs.
            for sub in room.subscriptions:
                session.add(VideoSubscription(
                    meeting_id=meeting.id, provider=adapter.provider,
                    subscription_id=sub.subscription_id, topic=sub.topic,
                    expires_at=sub.expires_at))
    except IntegrityError:
        # Two first joins raced; the room stored first wins.
        async with db.tenant_session(tenant) as session:
            stored = await find_room(session, meeting_id=meeting.id)
        if stored is not None:
            return stored
        raise
    return room


async def external_id(session: AsyncSession, *, person_id: str, provider: str) -> str | None:
    """The member's own account at the provider, if configured."""
    return await session.scalar(select(VideoIdentity.external_id).where(
        VideoIdentity.person_id == person_id, VideoIdentity.provider == provider))


async def person_for_key(
    session: AsyncSession, *, meeting: Meeting, provider: str, key: str
) -> str | None:
    """The member of the meeting's body a provider's participant key stands for."""
    if not key:
        return None
    mapped = await session.scalar(select(VideoIdentity.person_id).where(
        VideoIdentity.provider == provider, VideoIdentity.external_id == key))
    candidate = mapped or key
    seat = await session.scalar(select(Membership.id).where(
        Membership.body_id == meeting.body_id, Membership.person_id == candidate))
    return candidate if seat is not None else None
