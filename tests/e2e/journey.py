"""Steps of a council session as people take them, through the public HTTP APIs only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from ratsraum_common import demo
from ratsraum_devstack.oidc_login import login
from ratsraum_devstack.stack import Stack


@dataclass
class Person:
    """A signed-in person with their own HTTP client against meeting."""

    username: str
    subject: str
    client: httpx.AsyncClient

    async def cast(self, poll_id: str, choice: str, key: str | None = None) -> httpx.Response:
        """Cast through meeting's API with an idempotency key."""
        return await self.client.post(
            f"/api/v1/polls/{poll_id}/ballots", json={"choice": choice},
            headers={"Idempotency-Key": key or uuid.uuid4().hex},
        )


async def sign_in(stack: Stack, username: str, http: httpx.AsyncClient) -> Person:
    """Real code flow against identity; returns a client carrying the access token."""
    passwords = demo.ensure_credentials(stack.config.data_dir)
    tokens = await login(
        http, issuer=stack.config.issuer, client_id=demo.WEB_CLIENT_ID,
        redirect_uri=stack.config.redirect_uri, username=username,
        password=passwords[username], tenant=demo.TENANT,
    )
    client = httpx.AsyncClient(
        base_url=stack.config.url(stack.config.meeting_port),
        headers={"Authorization": f"Bearer {tokens.access_token}"}, timeout=10.0,
    )
    return Person(username, demo.subject_for(demo.TENANT, username), client)


@dataclass
class SseListener:
    """Reads the portal's live stream in the background and keeps every event."""

    url: str
    events: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    connected: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Open the stream; return once the first (current state) event arrived."""
        self._task = asyncio.create_task(self._read())
        await asyncio.wait_for(self.connected.wait(), 10)

    async def _read(self) -> None:
        # No read timeout: a live stream is quiet between updates (heartbeats aside).
        timeout = httpx.Timeout(10.0, read=None)
        async with httpx.AsyncClient(timeout=timeout) as client, client.stream(
            "GET", self.url, headers={"Accept": "text/event-stream"}
        ) as response:
            response.raise_for_status()
            data: list[str] = []
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and data:
                    self.events.append((time.monotonic(), json.loads("\n".join(data))))
                    data = []
                    self.connected.set()

    async def wait_for(self, predicate: Any, timeout: float) -> tuple[float, dict[str, Any]]:
        """The first event (arrival time, payload) matching the predicate."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for arrived, payload in self.events:
                if predicate(payload):
                    return arrived, payload
            await asyncio.sleep(0.01)
        raise TimeoutError(f"no matching live event in {timeout}s: {self.events[-3:]}")

    async def stop(self) -> None:
        """Close the stream."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._task


def item_of(snapshot: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    """The agenda item with this id in a public meeting snapshot."""
    for item in snapshot.get("agenda", []):
        if item.get("id") == item_id:
            return dict(item)
    return None
