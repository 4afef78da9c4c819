"""Putting citizens' guests out of the provider's room when the closed part begins, or one
guest whose link the clerk revoked during the session.

Runs beside the clerk's call of a closed item (or the revoke), never inside it: the call is
committed and answered first, the provider is asked afterwards (with bounded retries), and
each link's outcome is stored for the clerk's list. Repeating it is harmless: a guest no
longer in the room counts as absent.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_common.retry import bounded_retry
from ratsraum_meeting import live
from ratsraum_meeting.citizen_links.models import CitizenLink
from ratsraum_meeting.config import Settings
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.timeutil import now
from ratsraum_meeting.video import service as video
from ratsraum_meeting.video.base import NotSupported, ProviderRoom, VideoAdapter, VideoError
from ratsraum_meeting.video.registry import CAPABILITIES

log = get_logger(__name__)
_running: set[asyncio.Task[int]] = set()


def guest_key(link_id: str) -> str:
    """The participant key (person id at the provider) of a citizen's guest link."""
    return f"citizen-{link_id}"


def start(
    db: Database, *, tenant: str, meeting_id: str, settings: Settings, link_id: str | None = None
) -> asyncio.Task[int]:
    """Remove the meeting's guests (or one link's) in the background; the caller does not wait."""
    task = asyncio.create_task(
        _logged(db, tenant=tenant, meeting_id=meeting_id, settings=settings, link_id=link_id),
        name=f"guest-removal-{link_id or meeting_id}")
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def running() -> list[asyncio.Task[int]]:
    """Removals still under way (tests and shutdown wait for them)."""
    return list(_running)


async def _logged(
    db: Database, *, tenant: str, meeting_id: str, settings: Settings, link_id: str | None
) -> int:
    try:
        return await remove_guests(db, tenant=tenant, meeting_id=meeting_id, settings=settings,
                                   link_id=link_id)
    except Exception:  # a database hiccup must not vanish silently in a background task
        log.exception("citizen_links.removal_crashed", tenant=tenant, meeting_id=meeting_id)
        return 0


async def remove_guests(
    db: Database, *, tenant: str, meeting_id: str, settings: Settings, link_id: str | None = None
) -> int:
    """Put every guest with a confirmed link (or only `link_id`'s) out of the room; returns
    how many were removed."""
    async with db.tenant_session(tenant) as session:
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            return 0
        room = await video.find_room(session, meeting_id=meeting_id)
        setup = await video.setup_for(session, body_id=meeting.body_id)
        confirmed = select(CitizenLink.id).where(
            CitizenLink.meeting_id == meeting_id, CitizenLink.confirmed_at.is_not(None))
        if link_id is not None:
            confirmed = confirmed.where(CitizenLink.id == link_id)
        link_ids = list((await session.scalars(confirmed)).all())
    if room is None or setup is None or not link_ids:
        return 0  # no guest can be in a room that was never created
    outcomes: dict[str, tuple[str, str]]
    if not CAPABILITIES[setup.provider].guest_removal:
        outcomes = {i: ("manual", "") for i in link_ids}
    else:
        try:
            async with video.open_adapter(setup, settings) as adapter:
                outcomes = {i: await _remove_one(adapter, room, i, settings) for i in link_ids}
        except Problem as exc:  # the town's video setup is incomplete
            outcomes = {i: ("failed", str(exc)[:300]) for i in link_ids}
    at = now()
    async with db.transaction(tenant) as session:
        for row in (await session.scalars(select(CitizenLink).where(
                CitizenLink.id.in_(list(outcomes))))).all():
            row.removal_state, row.removal_note = outcomes[row.id]
            row.removal_at = at
    failed = sum(1 for state, _ in outcomes.values() if state == "failed")
    removed = sum(1 for state, _ in outcomes.values() if state == "removed")
    (log.warning if failed else log.info)(
        "citizen_links.guests_removed", tenant=tenant, meeting_id=meeting_id,
        provider=setup.provider, removed=removed, failed=failed)
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="citizen_links",
                data={"removed": removed, "failed": failed})
    return removed


def _worth_retrying(exc: BaseException) -> bool:
    if not isinstance(exc, VideoError) or isinstance(exc, NotSupported):
        return False
    return exc.status is None or exc.status >= 500


async def _remove_one(
    adapter: VideoAdapter, room: ProviderRoom, link_id: str, settings: Settings
) -> tuple[str, str]:
    removed = 0
    try:
        async for attempt in bounded_retry(
            what="video.remove_guest", attempts=settings.video_http_attempts,
            backoff_seconds=0.5, retry_if=_worth_retrying,
        ):
            with attempt:
                removed = await adapter.remove_guest(room=room,
                                                     participant_key=guest_key(link_id))
    except NotSupported:
        return "manual", ""
    except VideoError as exc:
        log.warning("citizen_links.removal_failed", link_id=link_id, error=str(exc)[:300])
        return "failed", str(exc)[:300]
    return ("removed" if removed else "absent"), ""
