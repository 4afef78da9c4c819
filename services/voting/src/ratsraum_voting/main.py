"""Builds the voting service: gRPC for meeting, HTTP for health and metrics, the outbox relay.

Nothing runs at import: `build_app(settings)` returns the app whose lifespan starts and stops
everything; `main()` reads the environment and serves it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
from fastapi import FastAPI

from ratsraum.voting.v1 import voting_pb2_grpc
from ratsraum_common.app import create_app
from ratsraum_common.consumer_guard import cancel_and_wait
from ratsraum_common.db import Database
from ratsraum_common.grpcutil import start_server
from ratsraum_common.housekeeping import OutboxGauges, run_housekeeping
from ratsraum_common.logging import get_logger
from ratsraum_common.natslink import NatsLink
from ratsraum_common.outbox import OutboxRelay
from ratsraum_common.serve import serve_service
from ratsraum_voting.api.secret_servicer import SECRET_SERVICE_NAME, register_secret_service
from ratsraum_voting.api.servicer import SERVICE_NAME, VotingServicer
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.config import Settings, get_settings
from ratsraum_voting.events import OutboxMessage
from ratsraum_voting.metrics import VotingMetrics

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


async def _stop_relay(relay: OutboxRelay, task: asyncio.Task[None]) -> None:
    # Publish what is already committed before stopping, so a clean stop leaves no backlog.
    with contextlib.suppress(Exception):
        async with asyncio.timeout(10):
            await relay.publish_pending()
    await cancel_and_wait(task)


async def _stop_task(task: asyncio.Task[None]) -> None:
    await cancel_and_wait(task)


async def _start(app: FastAPI, settings: Settings, stack: contextlib.AsyncExitStack) -> None:
    """Start database, NATS, gRPC and relay; each stop is pushed onto the stack in order."""
    db = Database(settings.resolved_url)
    stack.push_async_callback(db.dispose)
    await db.migrate(MIGRATIONS)
    # Voting starts and takes ballots without NATS: its events wait in the outbox.
    link = NatsLink(settings.nats_url, name="voting", options=settings.nats_options())
    stack.push_async_callback(link.close)
    relay = OutboxRelay(db=db, model=OutboxMessage, js=link.js,
                        connected=lambda: link.connected)
    relay_task = asyncio.create_task(relay.run(), name="voting-outbox-relay")

    async def wake_relay() -> None:
        relay.wake()

    link.on_connect("outbox", wake_relay)
    await link.start(wait_seconds=settings.nats_startup_wait_seconds)
    stack.push_async_callback(_stop_relay, relay, relay_task)
    upkeep = asyncio.create_task(run_housekeeping(
        db=db, outbox=OutboxMessage, processed=None, gauges=app.state.outbox_gauges,
        retention=settings.retention(), interval_seconds=settings.housekeeping_interval_seconds),
        name="voting-housekeeping")
    stack.push_async_callback(_stop_task, upkeep)
    signer = AuditSigner.from_settings(key_file=settings.audit_key_file,
                                       data_dir=Path(settings.data_dir))
    servicer = VotingServicer(db=db, metrics=app.state.voting_metrics, signer=signer)

    def register(server: grpc.aio.Server) -> None:
        voting_pb2_grpc.add_VotingServiceServicer_to_server(servicer, server)
        register_secret_service(server, db=db, settings=settings, signer=signer)

    server, port = await start_server(
        host=settings.grpc_host, port=settings.grpc_port, register=register,
        service_names=[SERVICE_NAME, SECRET_SERVICE_NAME],
    )
    # Stopped first on shutdown: no new calls, running calls get the grace period.
    stack.push_async_callback(server.stop, settings.grpc_grace_seconds)
    app.state.db = db
    app.state.relay = relay
    app.state.grpc_port = port
    app.state.readiness.add("database", db.ping)
    app.state.readiness.add("nats", link.check, degrades=True)
    log.info("voting.started", grpc=f"{settings.grpc_host}:{port}")


def build_app(settings: Settings) -> FastAPI:
    """The HTTP app (/healthz, /readyz, /metrics) whose lifespan runs gRPC and the relay.

    After startup `app.state.grpc_port` holds the bound gRPC port (useful with port 0).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await _start(app, settings, stack)
            yield
        log.info("voting.stopped")

    app, metrics, _readiness = create_app(
        service="voting", title="Ratsraum Abstimmungsdienst", lifespan=lifespan, openapi=False,
        max_body_bytes=settings.max_request_body_bytes,
    )
    app.state.settings = settings
    app.state.voting_metrics = VotingMetrics.register(metrics)
    app.state.outbox_gauges = OutboxGauges.register(metrics)
    return app


def main() -> None:
    """Read VOTING_* settings and serve until stopped."""
    serve_service("voting", get_settings(), build_app)
