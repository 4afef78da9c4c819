"""Run a service: logging and tracing set up, its app under uvicorn until stopped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import uvicorn

from ratsraum_common.logging import configure_logging
from ratsraum_common.settings import ServiceSettings
from ratsraum_common.telemetry import configure_tracing

S = TypeVar("S", bound=ServiceSettings)


def run_http(app: Any, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve until SIGINT/SIGTERM; the lifespan then stops gRPC servers, relays, consumers."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        log_config=None,  # keep our structured logging
        access_log=False,
        proxy_headers=True,
        # Longer than a load balancer's usual 60 s idle timeout, so the server never closes
        # a connection the balancer (or a phone) is about to reuse.
        timeout_keep_alive=75,
        timeout_graceful_shutdown=10,
    )


def serve_service(service: str, settings: S, build_app: Callable[[S], Any]) -> None:
    """The body of every service's main(): configure observability, build, serve."""
    configure_logging(service=service, log_format=settings.log_format, level=settings.log_level)
    configure_tracing(service)
    run_http(build_app(settings), host=settings.http_host, port=settings.http_port,
             log_level=settings.log_level)
