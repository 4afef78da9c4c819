"""A NATS connection made in the background, so a service starts and serves without NATS.

Events wait in the outbox while NATS is away; what needs the connection (the stream, durable
consumers, core subscriptions) is set up by callbacks once it is first made. Afterwards the
client reconnects by itself and restores its subscriptions.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from nats.aio.client import Client as NatsClient

from ratsraum_common.consumer_guard import cancel_and_wait
from ratsraum_common.logging import get_logger
from ratsraum_common.nats import connect_kwargs, ensure_stream
from ratsraum_common.natsauth import NatsOptions

log = get_logger(__name__)
Setup = Callable[[], Awaitable[None]]


class NatsUnavailable(ConnectionError):
    """NATS is not connected (yet, or again); events wait in the outbox."""


class NatsLink:
    """One client for the service; `start()` returns at once, setups run once connected."""

    def __init__(self, url: str, *, name: str, options: NatsOptions | None = None,
                 setup_retry_seconds: float = 1.0) -> None:
        self.url = url
        self.nc = NatsClient()
        self.js = self.nc.jetstream()
        self._kwargs = connect_kwargs(name=name, options=options)
        self._setups: list[tuple[str, Setup]] = [("stream", lambda: ensure_stream(self.js))]
        self._retry = setup_retry_seconds
        self._task: asyncio.Task[None] | None = None
        self.set_up = asyncio.Event()

    def on_connect(self, name: str, setup: Setup) -> None:
        """Run `setup` once the first connection is made (in the order added)."""
        self._setups.append((name, setup))

    async def start(self, *, wait_seconds: float = 5.0) -> bool:
        """Connect and set up in the background; wait that long for it, then go on without.

        Returns whether NATS was set up within the wait (False: the service runs degraded).
        """
        self._task = asyncio.create_task(self._run(), name="nats-link")
        try:
            async with asyncio.timeout(wait_seconds):
                await self.set_up.wait()
        except TimeoutError:
            log.warning("nats.unavailable_at_start", url=self.url, waited_seconds=wait_seconds)
            return False
        return True

    @property
    def connected(self) -> bool:
        """Whether the client is connected right now."""
        return bool(self.nc.is_connected)

    async def check(self) -> None:
        """Readiness: raise NatsUnavailable unless connected and set up."""
        if not self.nc.is_connected:
            raise NatsUnavailable("NATS not connected; events wait in the outbox")
        if not self.set_up.is_set():
            raise NatsUnavailable("NATS connected, consumers still starting")

    async def _run(self) -> None:
        await self.nc.connect(self.url, **self._kwargs)
        log.info("nats.connected", url=self.url)
        for name, setup in self._setups:
            while True:
                try:
                    await setup()
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("nats.setup_failed", step=name, error=str(exc))
                    await asyncio.sleep(self._retry)
        self.set_up.set()

    async def close(self) -> None:
        """Stop connecting and close the client (idempotent)."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        if not self.nc.is_closed:
            # Bounded: a close while NATS is away must not hold up the pod's shutdown.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await self.nc.close()
