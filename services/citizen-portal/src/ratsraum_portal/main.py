"""Builds the citizen portal app; `main()` reads settings and serves. Nothing runs at import."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from prometheus_client import Gauge
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ratsraum_common.app import create_app
from ratsraum_common.consumer_guard import ConsumerMetrics
from ratsraum_common.db import Database
from ratsraum_common.housekeeping import run_housekeeping
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.natslink import NatsLink
from ratsraum_common.problems import Problem
from ratsraum_common.serve import serve_service
from ratsraum_common.stream_limits import StreamLimits
from ratsraum_portal.api import (
    access,
    calendar,
    data,
    documents,
    live,
    oparl,
    oparl_records,
    oparl_system,
    pages,
    questions,
    service_pages,
)
from ratsraum_portal.api.common import NotFound, wants_html
from ratsraum_portal.api.oparl_paging import NO_SUCH_ADDRESS, OpenDataCors, oparl_error
from ratsraum_portal.base import ProcessedEvent
from ratsraum_portal.config import METRICS_PREFIX, SERVICE, Settings, get_settings
from ratsraum_portal.context import STATIC_DIR, PortalContext, templates
from ratsraum_portal.events import IntakeMetrics, LiveFeed, read_model_consumer
from ratsraum_portal.feedback.service import RateLimiter
from ratsraum_portal.i18n import page_language
from ratsraum_portal.live.broadcaster import Broadcaster
from ratsraum_portal.meetings.backfill import MeetingClient, backfill_until_done
from ratsraum_portal.security_headers import SecurityHeaders

log = get_logger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
NO_SUCH_PAGE = Msg("Diese Adresse gibt es im Bürgerportal nicht.",
                   "There is no such address in the citizen portal.")
# Open data anyone may fetch from a browser: OParl and the calendar feeds.
OPEN_DATA_PREFIXES = ("/oparl/", "/kalender/")


def build_app(settings: Settings) -> FastAPI:
    """The portal app; its lifespan opens the database, NATS intake and backfill."""
    broadcaster = Broadcaster()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database())
        await db.migrate(MIGRATIONS)
        # The portal serves its read model without NATS; live pushes resume on reconnect.
        link = NatsLink(settings.nats_url, name=SERVICE, options=settings.nats_options())
        client = MeetingClient(
            target=settings.meeting_grpc_target, timeout=settings.meeting_grpc_timeout_seconds
        )
        app.state.portal = PortalContext(
            settings=settings, db=db, broadcaster=broadcaster,
            sse_clients=sse_clients,
            feedback_limiter=RateLimiter(limit=settings.feedback_limit,
                                         window=settings.feedback_window_seconds),
            stream_limits=StreamLimits(per_town=settings.sse_streams_per_town,
                                       per_user=settings.sse_streams_per_client),
            question_limiter=RateLimiter(limit=settings.question_limit,
                                         window=settings.question_window_seconds),
            meeting=client,
            access_limiter=RateLimiter(limit=settings.citizen_link_network_limit,
                                       window=settings.citizen_link_network_window_seconds),
            # No configured key (development, tests): this process's own, random one.
            form_key=settings.form_key() or secrets.token_bytes(32),
        )
        consumer = read_model_consumer(js=link.js, db=db, durable=settings.consumer_durable,
                                       metrics=intake, guard=consumer_metrics,
                                       max_attempts=settings.event_max_attempts)
        feed = LiveFeed(nc=link.nc, broadcaster=broadcaster)
        link.on_connect("live-feed", feed.start)
        link.on_connect("read-model-consumer", consumer.start)
        await link.start(wait_seconds=settings.nats_startup_wait_seconds)
        upkeep = asyncio.create_task(run_housekeeping(
            db=db, outbox=None, processed=ProcessedEvent, gauges=None,
            retention=settings.retention(),
            interval_seconds=settings.housekeeping_interval_seconds), name="housekeeping")
        backfill = asyncio.create_task(backfill_until_done(
            db=db, client=client, initial_backoff=settings.backfill_initial_backoff_seconds,
            max_backoff=settings.backfill_max_backoff_seconds,
        ))
        # Meeting is deliberately not a readiness check: the portal serves its read model.
        readiness.add("database", db.ping)
        readiness.add("nats", link.check, degrades=True)
        log.info("portal.started", base_url=settings.public_base_url)
        try:
            yield
        finally:
            broadcaster.close()
            for job in (backfill, upkeep):
                job.cancel()
                with suppress(asyncio.CancelledError):
                    await job
            with suppress(Exception):  # bounded: NATS may be away at shutdown
                async with asyncio.timeout(2):
                    await feed.stop()
            await consumer.stop()
            await link.close()
            await client.close()
            await db.dispose()

    app, metrics, readiness = create_app(
        service=METRICS_PREFIX, title="Ratsraum Bürgerportal", lifespan=lifespan,
        max_body_bytes=settings.max_request_body_bytes,
    )
    intake = IntakeMetrics(
        applied=metrics.counter("events_applied", "Public meeting updates applied"),
        ignored=metrics.counter(
            "events_ignored", "Public meeting events not applied", ["reason"]
        ),
    )
    consumer_metrics = ConsumerMetrics.register(metrics)
    sse_clients = Gauge(f"{metrics.prefix}_sse_clients", "Open live (SSE) streams",
                        registry=metrics.registry)
    sse_clients.set_function(lambda: broadcaster.clients)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(data.router)
    app.include_router(oparl_system.router)
    app.include_router(calendar.router)
    app.include_router(oparl.router)
    app.include_router(oparl_records.router)  # after oparl: its paths are the general ones
    app.add_middleware(OpenDataCors, prefixes=OPEN_DATA_PREFIXES)
    app.add_middleware(SecurityHeaders)
    app.include_router(live.router)
    app.include_router(documents.router)
    app.include_router(service_pages.router)
    app.include_router(questions.router)
    app.include_router(access.router)
    app.include_router(pages.router)
    _install_html_not_found(app)
    return app


def _install_html_not_found(app: FastAPI) -> None:
    """Browsers get a German 404 page; API clients keep the shared problem JSON."""
    problem_handler = app.exception_handlers[Problem]
    http_handler = app.exception_handlers[StarletteHTTPException]

    def html_404(request: Request, message: Msg) -> Response:
        return templates.TemplateResponse(
            request, "404.html", {"message": message.render(page_language(request))},
            status_code=404
        )

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        if request.url.path.startswith("/oparl/"):
            return oparl_error(request, status=exc.status, detail=exc.detail, values=exc.values)
        return await _call(problem_handler, request, exc)

    async def on_not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotFound)
        if request.url.path.startswith("/oparl/"):
            return oparl_error(request, status=404, detail=exc.detail)
        if wants_html(request) and not _is_api(request.url.path):
            return html_404(request, exc.detail)
        return await _call(problem_handler, request, exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and request.url.path.startswith("/oparl/"):
            return oparl_error(request, status=404, detail=NO_SUCH_ADDRESS)
        if exc.status_code == 404 and wants_html(request) and not _is_api(request.url.path):
            return html_404(request, NO_SUCH_PAGE)
        return await _call(http_handler, request, exc)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(NotFound, on_not_found)
    app.add_exception_handler(StarletteHTTPException, on_http)


def _is_api(path: str) -> bool:
    """JSON APIs (ours and OParl) answer problem JSON even to browsers."""
    return path.startswith(("/api/", "/oparl/", "/kalender/"))


async def _call(handler: Any, request: Request, exc: Exception) -> Response:
    # The shared handlers are async; starlette types them loosely as sync-or-async.
    response: Response = await handler(request, exc)
    return response


def main() -> None:
    """Serve the portal with settings from the environment (PORTAL_*)."""
    serve_service(SERVICE, get_settings(), build_app)
