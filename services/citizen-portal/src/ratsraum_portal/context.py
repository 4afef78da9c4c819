"""What request handlers share in one process, built by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from prometheus_client import Gauge

from ratsraum_common.db import Database
from ratsraum_common.stream_limits import StreamLimits
from ratsraum_portal.config import Settings
from ratsraum_portal.feedback.service import RateLimiter
from ratsraum_portal.i18n import language_context
from ratsraum_portal.live.broadcaster import Broadcaster
from ratsraum_portal.meetings.backfill import MeetingClient

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@dataclass(slots=True)
class PortalContext:
    """The running portal's resources."""

    settings: Settings
    db: Database
    broadcaster: Broadcaster
    sse_clients: Gauge
    feedback_limiter: RateLimiter
    stream_limits: StreamLimits
    question_limiter: RateLimiter
    meeting: MeetingClient
    access_limiter: RateLimiter  # citizens' link requests per network
    form_key: bytes  # signs the question form's time stamp


def make_templates() -> Jinja2Templates:
    """The Jinja2 environment for the pages (autoescaped HTML, texts in the page language)."""
    return Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[language_context])


templates = make_templates()


def get_context(request: Request) -> PortalContext:
    """The portal context of the app serving this request."""
    context: PortalContext = request.app.state.portal
    return context


Ctx = Annotated[PortalContext, Depends(get_context)]
