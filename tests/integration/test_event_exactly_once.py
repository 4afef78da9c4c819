"""Meeting dies between commit and publish; the change still reaches the portal, once.

The real meeting code records a public change in a child process that is then SIGKILLed
(before publishing, or after publishing but before marking the event sent). Meeting starts
again, its relay publishes what is pending, and the real portal shows the change, having
applied the event exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ratsraum_common import demo
from ratsraum_common.auth import TokenVerifier
from ratsraum_common.nats import connect
from ratsraum_devstack.ports import free_port

CHILD = Path(__file__).with_name("meeting_crash_child.py")


@contextlib.asynccontextmanager
async def lifespan_of(app: Any) -> AsyncIterator[Any]:
    """Run an app's lifespan (its relay, consumers, servers) around a block."""
    async with app.router.lifespan_context(app):
        yield app


def meeting_app(data: Path, database_url: str, nats_url: str) -> Any:
    from ratsraum_meeting.config import Settings
    from ratsraum_meeting.main import build_app

    settings = Settings(data_dir=data, database_url=database_url, nats_url=nats_url,
                        seed_demo=True, grpc_port=0, voting_target=f"127.0.0.1:{free_port()}")
    unused = TokenVerifier(issuer="-", audience="-", jwks_url="-")
    return build_app(settings, token_verifier=unused)


def portal_app(data: Path, database_url: str, nats_url: str) -> Any:
    from ratsraum_portal.config import Settings
    from ratsraum_portal.main import build_app

    return build_app(Settings(data_dir=data, database_url=database_url, nats_url=nats_url,
                              meeting_grpc_target=f"127.0.0.1:{free_port()}",
                              consumer_durable=f"portal-{free_port()}"))


async def portal_status(client: httpx.AsyncClient) -> str | None:
    r = await client.get(f"/api/v1/{demo.TENANT}/meetings/{demo.MEETING_ID}")
    return str(r.json()["status"]) if r.status_code == 200 else None


async def copies_in_stream(nats_url: str, event_id: str) -> int:
    """How many messages the stream holds for this event id."""
    nc = await connect(nats_url, name="inspector")
    try:
        js = nc.jetstream()
        sub = await js.subscribe(f"ratsraum.{demo.TENANT}.meeting.public.>", ordered_consumer=True)
        copies = 0
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            while True:
                msg = await sub.next_msg(timeout=1.0)
                copies += json.loads(msg.data)["id"] == event_id
        return copies
    finally:
        await nc.close()


@pytest.mark.parametrize("mode", ["after_commit", "after_publish"])
async def test_change_reaches_the_portal_exactly_once_after_a_crash(
    tmp_path: Path, database_url: str, own_nats_url: str, mode: str
) -> None:
    nats_url = own_nats_url
    meeting_db = database_url
    portal_db = f"sqlite+aiosqlite:///{tmp_path / 'portal.sqlite3'}"
    async with lifespan_of(meeting_app(tmp_path, meeting_db, nats_url)):
        pass  # first start: migrate, seed, publish the seed snapshot

    child = subprocess.run(  # noqa: ASYNC221 - the child must die on its own schedule
        [sys.executable, str(CHILD), meeting_db, nats_url, mode],
        capture_output=True, timeout=60, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    event_id = child.stdout.strip()

    portal = portal_app(tmp_path, portal_db, nats_url)
    async with lifespan_of(portal), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=portal), base_url="http://portal") as client:
        if mode == "after_commit":
            await asyncio.sleep(0.5)
            assert await portal_status(client) != "running"  # nothing was published yet
        async with lifespan_of(meeting_app(tmp_path, meeting_db, nats_url)):
            for _ in range(200):
                if await portal_status(client) == "running":
                    break
                await asyncio.sleep(0.05)
            assert await portal_status(client) == "running"
            await asyncio.sleep(0.5)  # room for a duplicate to arrive, if there were one
        metrics = (await client.get("/metrics")).text

    applied = [line for line in metrics.splitlines()
               if line.startswith("portal_events_applied_total")]
    # The seed's meeting snapshot, the seed's public records (OParl), and ours: once each.
    assert applied == ["portal_events_applied_total 3.0"], applied
    assert await copies_in_stream(nats_url, event_id) == 1
