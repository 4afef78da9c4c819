"""Every HTTP router of meeting, included in one place and in one order.

The order is the order FastAPI tries the routes in, and each route passed costs a little on
every request: the votes' router comes first, so a cast (`POST /polls/{id}/ballots`) is
matched early. No two routers here share a path, so the order changes nothing else.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from ratsraum_meeting.api import (
    agenda,
    attendance,
    citizen_links,
    conflicts,
    device_checks,
    disruptions,
    hybrid_conditions,
    invitations,
    live,
    livestream,
    lobby,
    masterdata,
    me,
    meetings,
    minutes,
    oparl,
    poll_lifecycle,
    polls,
    profiles,
    questions,
    secret_polls,
    speakers,
    video,
)

ROUTERS: tuple[APIRouter, ...] = (
    polls.router,
    me.router,
    meetings.router,
    profiles.router,
    conflicts.router,
    masterdata.router,
    oparl.router,
    invitations.router,
    minutes.router,
    lobby.router,
    video.router,
    poll_lifecycle.router,
    secret_polls.router,
    disruptions.router,
    agenda.router,
    speakers.router,
    live.router,
    attendance.router,
    hybrid_conditions.router,
    device_checks.router,
    questions.router,
    citizen_links.router,
    livestream.router,
)


def include_routers(app: FastAPI) -> None:
    """Add every router of meeting to the app."""
    for router in ROUTERS:
        app.include_router(router)
