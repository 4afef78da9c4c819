"""Background video work of running meetings: polled presence and push registrations.

Every replica runs it; both jobs are safe to repeat (a polled event already applied is
skipped, a renewal only moves an expiry forward), so no leader is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.retry import bounded_retry
from ratsraum_meeting.config import Settings
from ratsraum_meeting.jobs.video_presence import apply_events, latest_per_participant
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.polls.voting_client import VotingClient
from ratsraum_meeting.timeutil import now, utc
from ratsraum_meeting.video import service
from ratsraum_meeting.video.base import (
    NotSupported,
    ProviderRoom,
    Subscription,
    VideoAdapter,
    VideoError,
)
from ratsraum_meeting.video.models import VideoRoom, VideoSubscription
from ratsraum_meeting.video.registry import CAPABILITIES, VideoConfigError, build_adapter

log = get_logger(__name__)
LIVE_STATES = ("running", "interrupted")  # a meeting in session (an interruption included)


@dataclass(frozen=True, slots=True)
class _Target:
    tenant: str
    meeting_id: str
    body_id: str
    provider: str
    room: ProviderRoom


async def _adapter_for(db: Database, settings: Settings, target: _Target) -> VideoAdapter | None:
    """The adapter of the meeting's body, unless it moved to another provider since."""
    async with db.tenant_session(target.tenant) as session:
        setup = await service.setup_for(session, body_id=target.body_id)
    if setup is None or setup.provider != target.provider:
        return None
    try:
        return build_adapter(setup, settings)
    except VideoConfigError as exc:
        log.warning("video.background_misconfigured", tenant=target.tenant,
                    meeting_id=target.meeting_id, reason=str(exc))
        return None


async def poll_presence_once(
    db: Database, settings: Settings, voting: VotingClient | None = None
) -> int:
    """Fetch polled presence (Teams attendance reports) of every meeting in session."""
    polled = [p for p, caps in CAPABILITIES.items() if "poll" in caps.presence]
    async with db.system_session() as session:
        rows = (await session.execute(
            select(VideoRoom.tenant_id, VideoRoom.meeting_id, Meeting.body_id,
                   VideoRoom.provider, VideoRoom.room_id, VideoRoom.join_url)
            .join(Meeting, Meeting.id == VideoRoom.meeting_id)
            .where(Meeting.status.in_(LIVE_STATES), VideoRoom.provider.in_(polled)))).all()
    applied = 0
    for tenant, meeting_id, body_id, provider, room_id, join_url in rows:
        target = _Target(tenant, meeting_id, body_id, provider, ProviderRoom(room_id, join_url))
        adapter = await _adapter_for(db, settings, target)
        if adapter is None:
            continue
        try:
            events = await adapter.poll_presence(room=target.room)
        except (VideoError, NotSupported) as exc:
            log.warning("video.poll_failed", tenant=tenant, meeting_id=meeting_id,
                        error=str(exc))
            continue
        finally:
            await adapter.aclose()
        # The report is history; only where each member is now matters, and only if newer
        # than what the pushed call events already told us.
        applied += await apply_events(db, tenant=tenant, meeting_id=meeting_id,
                                      provider=provider, events=latest_per_participant(events),
                                      only_new=True, voting=voting)
    return applied


async def renew_subscriptions_once(
    db: Database, settings: Settings, *, at: datetime | None = None
) -> int:
    """Renew push registrations of open meetings that expire soon (and check the others)."""
    moment = at or now()
    due = moment + timedelta(seconds=settings.video_subscription_renew_margin_seconds)
    async with db.system_session() as session:
        rows = (await session.execute(
            select(VideoSubscription, Meeting.body_id, VideoRoom.room_id, VideoRoom.join_url)
            .join(Meeting, Meeting.id == VideoSubscription.meeting_id)
            .join(VideoRoom, VideoRoom.meeting_id == VideoSubscription.meeting_id)
            .where(Meeting.status != "closed"))).all()
    renewed = 0
    for row, body_id, room_id, join_url in rows:
        # Expiring ones when due; those that never expire (Webex) on every round.
        if row.expires_at is not None and utc(row.expires_at) > due:
            continue
        target = _Target(row.tenant_id, row.meeting_id, body_id, row.provider,
                         ProviderRoom(room_id, join_url))
        current = Subscription(row.subscription_id, row.expires_at and utc(row.expires_at),
                               row.topic)
        fresh = await _renew(db, settings, target, current,
                             until=moment + timedelta(
                                 seconds=settings.video_subscription_lifetime_seconds))
        if fresh is None:
            continue
        async with db.transaction(row.tenant_id) as session:
            stored = await session.get(VideoSubscription, row.id)
            if stored is not None:
                stored.subscription_id, stored.expires_at = fresh.subscription_id, fresh.expires_at
                stored.checked_at = now()
        renewed += 1
    return renewed


async def _renew(db: Database, settings: Settings, target: _Target, current: Subscription,
                 *, until: datetime) -> Subscription | None:
    """Renew with a bounded number of attempts; None when it did not work this round."""
    adapter = await _adapter_for(db, settings, target)
    if adapter is None:
        return None
    callback = service.callback_url(settings, provider=target.provider, tenant=target.tenant,
                                    meeting_id=target.meeting_id)
    try:
        async for attempt in bounded_retry(
            what="video.renew", attempts=settings.video_subscription_renew_attempts,
            backoff_seconds=0.5,
            retry_if=lambda exc: isinstance(exc, VideoError) and not isinstance(exc, NotSupported),
        ):
            with attempt:
                return await adapter.renew(room=target.room, subscription=current,
                                           callback_url=callback, until=until)
    except NotSupported:
        return None
    except VideoError as exc:
        log.warning("video.renew_failed", tenant=target.tenant,
                    meeting_id=target.meeting_id, error=str(exc))
    finally:
        await adapter.aclose()
    return None


async def run_every(
    work: Callable[[], Awaitable[object]], *, interval_seconds: float, name: str
) -> None:
    """Run `work` every interval until cancelled; a failed round is logged, not fatal."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            await work()
        except Exception:  # a database or provider hiccup must not end the job for good
            log.exception("video.background_failed", job=name)
