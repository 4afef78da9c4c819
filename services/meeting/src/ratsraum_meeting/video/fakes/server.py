"""Runs an ASGI fake on a free local port for the length of a test."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import uvicorn

# Where a fake sends its webhooks: (url, headers, body) -> HTTP status of the receiver.
Deliver = Callable[[str, dict[str, str], bytes], Awaitable[int]]


def http_deliver(timeout_seconds: float = 5.0) -> Deliver:
    """Deliver webhooks over real HTTP."""

    async def deliver(url: str, headers: dict[str, str], body: bytes) -> int:
        async with httpx.AsyncClient(timeout=timeout_seconds) as client:
            return (await client.post(url, headers=headers, content=body)).status_code

    return deliver


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve the app on 127.0.0.1 at a free port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
