"""Liveness and readiness endpoints; readiness runs the service's dependency checks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[None]]


class Readiness:
    """Named async checks; each raises when its dependency is unreachable."""

    def __init__(self) -> None:
        self.checks: dict[str, ReadinessCheck] = {}

    def add(self, name: str, check: ReadinessCheck) -> None:
        """Register a check under a name shown in /readyz."""
        self.checks[name] = check

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

    @app.get("/healthz", include_in_schema=False)
    async def _healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def _readyz() -> JSONResponse:
        results = await readiness.run()
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": results},
            status_code=200 if ready else 503,
        )
