"""Prometheus metrics: HTTP requests by route template, and /metrics."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_UNTRACKED = frozenset({"/metrics", "/healthz", "/readyz"})

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServiceMetrics:
    """One registry per app, so several apps (or test instances) can live in one process."""

    def __init__(self, service: str) -> None:
        self.prefix = service.replace("-", "_")
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            f"{self.prefix}_http_requests_total",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            f"{self.prefix}_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def counter(self, name: str, doc: str, labels: list[str] | None = None) -> Counter:
        """A service-prefixed counter in this registry."""
        return Counter(f"{self.prefix}_{name}", doc, labels or [], registry=self.registry)

    def histogram(self, name: str, doc: str, labels: list[str] | None = None) -> Histogram:
        """A service-prefixed latency histogram in this registry."""
        return Histogram(
            f"{self.prefix}_{name}", doc, labels or [], buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The exposition text of this registry."""
        return _generate_latest(self.registry)


class HttpMetricsMiddleware:
    """Pure ASGI middleware; labels by the matched route template, never the raw path."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _UNTRACKED:
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            method = scope.get("method", "GET")
            self.metrics.http_requests.labels(method, template, str(status)).inc()
            self.metrics.http_latency.labels(method, template).observe(
                time.perf_counter() - started
            )


def install_metrics(app: FastAPI, metrics: ServiceMetrics) -> None:
    """Add request metrics and the /metrics endpoint."""
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)

    # Found on the app, not closed over: see `health.install_health` for why.
    app.state.metrics = metrics
    app.add_api_route("/metrics", _metrics, methods=["GET"], include_in_schema=False)


async def _metrics(request: Request) -> Response:
    metrics: ServiceMetrics = request.app.state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
