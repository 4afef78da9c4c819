"""Builds the meeting app (HTTP API, gRPC backfill, outbox relay, voting consumer) and runs it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import grpc
import httpx
from fastapi import FastAPI
from starlette.middleware import Middleware

from ratsraum.meeting.v1 import public_pb2_grpc
from ratsraum_common.app import create_app
from ratsraum_common.auth import TokenVerifier
from ratsraum_common.consumer_guard import ConsumerMetrics, cancel_and_wait
from ratsraum_common.db import Database
from ratsraum_common.grpcutil import channel, check_serving, start_server
from ratsraum_common.housekeeping import OutboxGauges, run_housekeeping
from ratsraum_common.logging import get_logger
from ratsraum_common.nats import AfterCommit, EventConsumer, EventHandler
from ratsraum_common.natslink import NatsLink
from ratsraum_common.outbox import OutboxRelay
from ratsraum_common.secret_box import SecretBox
from ratsraum_common.serve import serve_service
from ratsraum_common.stream_limits import StreamLimits
from ratsraum_meeting import live
from ratsraum_meeting.api.lean_cast import LeanCast
from ratsraum_meeting.api.public_grpc import SERVICE_NAME, PublicMeetingServicer
from ratsraum_meeting.api.routes import include_routers
from ratsraum_meeting.base import DeadLetter, OutboxMessage, ProcessedEvent
from ratsraum_meeting.citizen_links import removal
from ratsraum_meeting.config import SERVICE, Settings, get_settings
from ratsraum_meeting.events import POLL_CLOSED_FILTER, VOTING_CONSUMER
from ratsraum_meeting.jobs import citizen_erasure, video_background
from ratsraum_meeting.jobs.lobby_sweeper import run_heartbeat_sweeper
from ratsraum_meeting.polls.closing import poll_closed_handler
from ratsraum_meeting.polls.lifecycle import (
    LIFECYCLE_CONSUMER,
    LIFECYCLE_FILTER,
    voting_event_handler,
)
from ratsraum_meeting.polls.progress import ProgressPublisher
from ratsraum_meeting.polls.voting_client import VotingClient
from ratsraum_meeting.publish import public as public_publisher
from ratsraum_meeting.publish import record_events
from ratsraum_meeting.questions.service import Rules
from ratsraum_meeting.seed import seed_demo, seed_files
from ratsraum_meeting.signin.identity_events import (
    IDENTITY_CONSUMER,
    IDENTITY_FILTER,
    identity_event_handler,
    note_after_commit,
)
from ratsraum_meeting.signin.oidc import IdentityClient
from ratsraum_meeting.signin.revocations import Revocations, prune_revocations
from ratsraum_meeting.signin.sessions import SessionAuth, session_authenticator
from ratsraum_meeting.web import routes as web_routes

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


def build_app(
    settings: Settings, *, token_verifier: TokenVerifier | None = None,
    identity_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The meeting app; background work starts and stops with its lifespan."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database)
        await db.migrate(MIGRATIONS)
        # Meeting starts and serves without NATS: events wait in the outbox (docs/reliability.md).
        link = NatsLink(settings.nats_url, name=SERVICE, options=settings.nats_options())
        js = link.js
        if settings.seed_demo:
            await seed_demo(db)
        await seed_files(db, settings.seed_files)
        # Public master data the portal has not seen yet (e.g. from before it was published).
        await record_events.publish_all_towns(db)
        # A secret poll's published record (every encrypted ballot) outgrows gRPC's 4 MB
        # default from a few hundred ballots on (each ballot carries its ciphertexts and proofs).
        voting_channel = channel(settings.voting_target, max_receive_bytes=256 * 1024 * 1024)
        app.state.db = db
        # Tokens of a deactivated account or suspended town end at once, not when they expire.
        app.state.revocations = revocations = Revocations(db)
        app.state.token_verifier.gate = revocations.check
        app.state.signin = _signin(settings, db, app.state.token_verifier, identity_transport)
        app.state.session_authenticator = session_authenticator(app.state.signin)
        app.state.voting = VotingClient(
            voting_channel, deadline_seconds=settings.voting_deadline_seconds
        )
        app.state.progress = ProgressPublisher(db)
        app.state.live_hub = hub = getattr(app.state, "live_hub", None) or live.hub()
        link.on_connect("live", lambda: hub.attach(link.nc))  # updates between replicas
        relay = OutboxRelay(db=db, model=OutboxMessage, js=js, connected=lambda: link.connected)
        relay_task = asyncio.create_task(relay.run(), name="outbox-relay")
        link.on_connect("outbox", _waker(relay))
        sweeper = asyncio.create_task(run_heartbeat_sweeper(
            db, timeout_seconds=settings.lobby_heartbeat_timeout_seconds,
            interval_seconds=settings.lobby_sweep_interval_seconds), name="lobby-sweeper")
        video_jobs = [
            asyncio.create_task(video_background.run_every(
                lambda: video_background.poll_presence_once(db, settings, app.state.voting),
                interval_seconds=settings.video_presence_poll_interval_seconds,
                name="video-presence-poll"), name="video-presence-poll"),
            asyncio.create_task(video_background.run_every(
                lambda: video_background.renew_subscriptions_once(db, settings),
                interval_seconds=settings.video_subscription_check_interval_seconds,
                name="video-subscriptions"), name="video-subscriptions"),
            # Same cadence as housekeeping: addresses go within one interval of the close.
            asyncio.create_task(video_background.run_every(
                lambda: citizen_erasure.erase_once(db),
                interval_seconds=settings.housekeeping_interval_seconds,
                name="citizen-erasure"), name="citizen-erasure"),
        ]
        upkeep = asyncio.create_task(run_housekeeping(
            db=db, outbox=OutboxMessage, processed=ProcessedEvent, gauges=outbox_gauges,
            retention=settings.retention(),
            interval_seconds=settings.housekeeping_interval_seconds,
            extra=[lambda: prune_revocations(db, keep=timedelta(
                hours=settings.access_revocation_retention_hours))]), name="housekeeping")

        def guarded(durable: str, filter_subject: str, handler: EventHandler,
                    after_commit: AfterCommit | None = None) -> EventConsumer:
            consumer = EventConsumer(
                js=js, db=db, model=ProcessedEvent, durable=durable, handler=handler,
                filter_subject=filter_subject, dead_letters=DeadLetter, metrics=consumer_metrics,
                max_attempts=settings.event_max_attempts, after_commit=after_commit)
            link.on_connect(durable, consumer.start)
            return consumer

        consumer = guarded(VOTING_CONSUMER, POLL_CLOSED_FILTER,
                           poll_closed_handler(app.state.voting))
        lifecycle_consumer = guarded(LIFECYCLE_CONSUMER, LIFECYCLE_FILTER,
                                     voting_event_handler(app.state.voting))
        identity_consumer = guarded(IDENTITY_CONSUMER, IDENTITY_FILTER, identity_event_handler(),
                                    note_after_commit(revocations))
        await link.start(wait_seconds=settings.nats_startup_wait_seconds)
        servicer = PublicMeetingServicer(db, rules=Rules(
            max_chars=settings.citizen_question_max_chars,
            hours_before=settings.citizen_question_hours_before))
        server, app.state.grpc_port = await start_server(
            host=settings.grpc_host, port=settings.grpc_port,
            register=lambda s: public_pb2_grpc.add_PublicMeetingServiceServicer_to_server(
                servicer, s),
            service_names=[SERVICE_NAME],
        )
        readiness.add("database", db.ping)
        # Neither takes meeting out of service: without NATS events wait in the outbox; without
        # voting, agenda, lobby, speakers and minutes still work (casting answers 503).
        readiness.add("nats", link.check, degrades=True)
        readiness.add("voting", lambda: check_serving(voting_channel), degrades=True)
        log.info("meeting.started", grpc_port=app.state.grpc_port)
        try:
            yield
        finally:
            for job in (sweeper, upkeep, *video_jobs, *removal.running()):
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
            await app.state.progress.stop()
            await hub.detach(link.nc)
            await lifecycle_consumer.stop()
            await identity_consumer.stop()
            await _shutdown(server, consumer, relay, relay_task, voting_channel)
            await link.close()
            await app.state.signin.identity.close()
            await db.dispose()

    app, metrics, readiness = create_app(
        service=SERVICE, title="Ratsraum Sitzungsdienst (meeting)", lifespan=lifespan,
        max_body_bytes=settings.max_request_body_bytes,
    )
    outbox_gauges = OutboxGauges.register(metrics)
    consumer_metrics = ConsumerMetrics.register(metrics)
    app.state.token_verifier = token_verifier or TokenVerifier(
        issuer=settings.oidc_issuer, audience=settings.oidc_audience,
        jwks_url=settings.oidc_jwks_url,
    )
    app.state.settings = settings
    app.state.live_limits = StreamLimits(per_town=settings.live_streams_per_town,
                                         per_user=settings.live_streams_per_user)
    public_publisher.install()  # stages the public snapshot of noted changes at each commit
    record_events.install()  # stages changed public master data (OParl) at each commit
    include_routers(app)
    # Innermost of the middlewares: metrics, tracing, request ids and limits see its casts.
    app.user_middleware.append(Middleware(LeanCast))
    web_routes.install(app)
    return app


def _waker(relay: OutboxRelay) -> Callable[[], Awaitable[None]]:
    async def wake() -> None:
        relay.wake()

    return wake


def _signin(settings: Settings, db: Database, verifier: TokenVerifier,
            transport: httpx.AsyncBaseTransport | None) -> SessionAuth:
    """The web app's sign-in at identity and its server-side sessions."""
    base = settings.public_app_url.rstrip("/")
    client = IdentityClient(
        issuer=settings.oidc_issuer, client_id=settings.web_client_id,
        redirect_uri=f"{base}/auth/callback", post_logout_uri=f"{base}/auth/signed-out",
        transport=transport)
    keys = settings.web_session_key_list()
    box = (SecretBox(keys) if keys
           else SecretBox.from_file(settings.data_dir / "web-session.key"))
    return SessionAuth(db=db, identity=client, verifier=verifier, public_url=base, box=box,
                       lifetime=timedelta(hours=settings.web_session_hours))


async def _shutdown(
    server: grpc.aio.Server,
    consumer: EventConsumer,
    relay: OutboxRelay,
    relay_task: asyncio.Task[None],
    voting_channel: grpc.aio.Channel,
) -> None:
    """Stop background work in reverse order of start."""
    await server.stop(grace=2.0)
    await consumer.stop()
    # Publish what is already committed, so a clean stop leaves no backlog (if NATS is up).
    with contextlib.suppress(Exception):
        async with asyncio.timeout(10):
            await relay.publish_pending()
    await cancel_and_wait(relay_task)
    await voting_channel.close()


def main() -> None:
    """Read settings from the environment and serve until stopped."""
    serve_service(SERVICE, get_settings(), build_app)
