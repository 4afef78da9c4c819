"""Liveness and readiness endpoints; readiness runs the service's dependency checks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[None]]


class Readiness:
    """Named async checks; each raises when its dependency is unreachable.

    A check added with `degrades=True` guards something the service can do without for a
    while (NATS: events wait in the outbox); its failure makes /readyz say "degraded" with
    200, so the load balancer keeps sending traffic. Any other failing check answers 503.
    """

    def __init__(self) -> None:
        self.checks: dict[str, ReadinessCheck] = {}
        self.degrading: set[str] = set()

    def add(self, name: str, check: ReadinessCheck, *, degrades: bool = False) -> None:
        """Register a check under a name shown in /readyz."""
        self.checks[name] = check
        if degrades:
            self.degrading.add(name)
        else:
            self.degrading.discard(name)

    async def run(self, timeout: float = 2.0) -> dict[str, str]:
        """Run all checks concurrently; map name to "ok" or the error."""

        async def one(check: ReadinessCheck) -> str:
            try:
                await asyncio.wait_for(check(), timeout)
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"
            return "ok"

        names = list(self.checks)
        results = await asyncio.gather(*(one(self.checks[n]) for n in names))
        return dict(zip(names, results, strict=True))


def install_health(app: FastAPI, readiness: Readiness) -> None:
    """Add /healthz (process alive) and /readyz (dependencies reachable)."""
    # The endpoints find the checks on the app they serve rather than closing over them:
    # FastAPI caches facts about every endpoint callable process-wide, and a closure there
    # would keep this app's checks (and through them its clients and engines) alive.
    app.state.readiness = readiness
    app.add_api_route("/healthz", _healthz, methods=["GET"], include_in_schema=False)
    app.add_api_route("/readyz", _readyz, methods=["GET"], include_in_schema=False)


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _readyz(request: Request) -> JSONResponse:
    readiness: Readiness = request.app.state.readiness
    results = await readiness.run()
    down = sorted(name for name, result in results.items() if result != "ok")
    if any(name not in readiness.degrading for name in down):
        return JSONResponse({"status": "unavailable", "checks": results, "down": down},
                            status_code=503)
    return JSONResponse({"status": "degraded" if down else "ok", "checks": results,
                         "down": down}, status_code=200)
