"""Helpers for the live tests: a real HTTP server (SSE needs streaming) and an SSE reader."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI


@contextlib.asynccontextmanager
async def _serve(app: FastAPI) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # started within 5 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = server.force_exit = True
        await task


class Events:
    """Reads `(event, data)` pairs from an open SSE response."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def next(self, timeout: float = 5.0) -> tuple[str, dict[str, Any]]:
        """The next event (pings skipped)."""
        async with asyncio.timeout(timeout):
            kind, data = "message", ""
            async for line in self._lines:
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
                elif not line and data:
                    return kind, json.loads(data)
        raise AssertionError("stream ended")

    async def until(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        """Skip to the next event of this kind."""
        async with asyncio.timeout(timeout):
            while True:
                got, data = await self.next(timeout)
                if got == kind:
                    return data

    async def kinds(self, seconds: float) -> list[str]:
        """The kinds of every event arriving within this time."""
        seen: list[str] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    seen.append((await self.next(seconds))[0])
        return seen


@pytest.fixture
def serve():  # type: ignore[no-untyped-def]
    """Serve an (already started) meeting app over real HTTP while the context is open."""
    return _serve


@pytest.fixture
def sse():  # type: ignore[no-untyped-def]
    """Wrap a streaming response as an event reader."""
    return Events
