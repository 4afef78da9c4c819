"""The FastAPI app every service starts from: problems, metrics, health, tracing, request ids."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ratsraum_common.body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimitMiddleware
from ratsraum_common.health import Readiness, install_health
from ratsraum_common.metrics import ServiceMetrics, install_metrics
from ratsraum_common.problems import install_problem_handlers
from ratsraum_common.telemetry import fastapi_telemetry


class RequestIdMiddleware:
    """Binds a request id (from X-Request-ID or new) to logs and echoes it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode()
        request_id = incoming if 0 < len(incoming) <= 64 else uuid.uuid4().hex

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            await self.app(scope, receive, _send)


def create_app(
    *,
    service: str,
    title: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    version: str = "0.1.0",
    openapi: bool = True,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    **kwargs: Any,
) -> tuple[FastAPI, ServiceMetrics, Readiness]:
    """Build the service's app with the shared cross-cutting pieces installed."""
    app = FastAPI(
        title=title,
        version=version,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json" if openapi else None,
        docs_url="/api/v1/docs" if openapi else None,
        redoc_url=None,
        telemetry=fastapi_telemetry(),
        **kwargs,
    )
    metrics = ServiceMetrics(service)
    readiness = Readiness()
    install_problem_handlers(app)
    install_metrics(app, metrics)
    install_health(app, readiness)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    return app, metrics, readiness


async def no_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """A lifespan that does nothing (for apps without background work)."""
    yield
