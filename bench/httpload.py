"""A lean HTTP/1.1 load generator for the cast phase of the benchmarks.

The load generator shares the two cores with the system it measures, so every millisecond it
spends is taken from the services. httpx costs about as much CPU per request as a small
service handler; this client pre-builds each request's bytes and parses only the status line
and Content-Length of the answer, on one keep-alive connection per member (as each phone has
its own). Sign-in and set-up keep using httpx.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"


class Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(_HEAD_END)
        if end < 0 or self.waiter is None:
            return
        length = 0
        for line in bytes(self.buffer[:end]).split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return
        status = int(self.buffer[9:12])
        body = bytes(self.buffer[end + 4:end + 4 + length])
        del self.buffer[:end + 4 + length]
        waiter, self.waiter = self.waiter, None
        if not waiter.done():
            waiter.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("connection closed"))
        if not self.closed.done():
            self.closed.set_result(None)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send pre-built request bytes; returns (status, body)."""
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter

    async def close(self) -> None:
        """Close and wait until closed."""
        if self.transport is not None:
            self.transport.close()
            await self.closed


async def connect(url: str) -> Connection:
    """Open one connection to the host and port of `url`."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    _transport, protocol = await loop.create_connection(
        Connection, parts.hostname or "127.0.0.1", parts.port or 80)
    return protocol


def build(method: str, url: str, path: str, headers: dict[str, str],
          body: object | None = None) -> bytes:
    """The bytes of one request (a JSON body if given), built once before the measurement."""
    payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {urlsplit(url).netloc}",
             *(f"{k}: {v}" for k, v in headers.items())]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass
class Result:
    """Latencies (s) of the successful requests, failures by status, and the wall time."""

    latencies: list[float]
    failures: dict[int, int]
    wall: float


async def fire(
    jobs: list[tuple[Connection, bytes]], *, rate: float | None, ok: Callable[[int], bool],
) -> Result:
    """Send every job once: all at the same moment (burst) or paced at `rate` per second.

    Paced sends are open-loop: job i is due at start + i / rate whatever the answers so far,
    and its latency is counted from that due time, so queueing in the client is not hidden.
    """
    latencies: list[float] = []
    failures: dict[int, int] = {}

    async def one(connection: Connection, raw: bytes, due: float) -> None:
        status, _body = await connection.request(raw)
        if ok(status):
            latencies.append(time.perf_counter() - due)
        else:
            failures[status] = failures.get(status, 0) + 1

    began = time.perf_counter()
    if rate is None:
        await asyncio.gather(*(one(c, raw, began) for c, raw in jobs))
    else:
        tasks = []
        for i, (connection, raw) in enumerate(jobs):
            due = began + i / rate
            wait = due - time.perf_counter()
            if wait > 0.0005:
                await asyncio.sleep(wait)
            tasks.append(asyncio.ensure_future(one(connection, raw, due)))
        await asyncio.gather(*tasks)
    return Result(latencies, failures, time.perf_counter() - began)
