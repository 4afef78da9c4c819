"""Run a service: logging and tracing set up, its app under uvicorn until stopped."""

from __future__ import annotations

import gc
import resource
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
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


# Python collects its youngest objects after every 700 net allocations. A request in flight
# holds a few hundred (frames, scope, headers, futures), so under load the collector ran every
# couple of requests and walked every request still waiting: half of meeting's CPU per
# ballot in a burst of 2,000 casts (docs/benchmarks.md, round 5). Ten thousand keeps the
# young generation to a few megabytes and makes collections rare.
GC_THRESHOLDS = (10_000, 10, 10)


def tune_gc(app: Any) -> None:
    """Collect less often, and never walk what the service set up at start.

    Everything built until the app is ready (modules, routes, schemas, pools) lives as long as
    the process; frozen, a full collection skips it and takes a fraction of the time it
    would otherwise hold every request up for.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with started(app) as state:
            gc.collect()
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan


def raise_open_file_limit() -> int:
    """Lift the soft limit on open files to the hard one; returns the limit now in force.

    Every live stream holds a socket. Many systems start processes with a soft limit of 1,024
    open files, far below what one portal needs for thousands of viewers, while the hard
    limit the operator set is much higher; only the hard limit is the operator's decision.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or (hard != resource.RLIM_INFINITY and soft >= hard):
        return int(soft)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError):  # e.g. above the kernel's nr_open: keep the old limit
        return int(soft)
    return int(wanted)


def serve_service(service: str, settings: S, build_app: Callable[[S], Any]) -> None:
    """The body of every service's main(): configure observability, build, serve."""
    configure_logging(service=service, log_format=settings.log_format, level=settings.log_level)
    configure_tracing(service)
    raise_open_file_limit()
    app = build_app(settings)
    tune_gc(app)
    run_http(app, host=settings.http_host, port=settings.http_port, log_level=settings.log_level)
