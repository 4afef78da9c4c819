"""A stopped meeting app leaves nothing behind: its database, NATS client and tasks go with it.

One process builds many apps in tests and the devstack; an app kept alive by some cache holds
its engines, connection pools and NATS client (the suite once grew to 21 GB this way).
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from pathlib import Path

import httpx
from meeting_fakes.voting import FakeVoting
from meeting_fixtures.tokens import Issuer

from ratsraum_meeting.config import Settings
from ratsraum_meeting.main import build_app


async def _run_and_stop(settings: Settings, issuer: Issuer) -> tuple[weakref.ref[object], ...]:
    app = build_app(settings, token_verifier=issuer.verifier())
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://meeting.test") as client:
        # Every kind of endpoint the service itself installs, so each has been classified.
        for path in ("/healthz", "/readyz", "/metrics", "/api/v1/meetings", "/"):
            assert (await client.get(path)).status_code < 500, path
    await lifespan.__aexit__(None, None, None)
    readiness = app.state.readiness
    return (weakref.ref(app), weakref.ref(app.state.db), weakref.ref(readiness))


async def test_stopped_app_is_released(
    database_url: str, nats_url: str, issuer: Issuer, fake_voting: tuple[FakeVoting, int],
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=database_url, nats_url=nats_url,
        voting_target=f"127.0.0.1:{fake_voting[1]}", grpc_port=0, data_dir=tmp_path,
        seed_demo=True, environment="test",
    )
    refs = await _run_and_stop(settings, issuer)
    await asyncio.sleep(0)  # let finished tasks' callbacks run
    gc.collect()

    alive = [ref() for ref in refs if ref() is not None]
    assert alive == [], f"still referenced after shutdown: {[type(o).__name__ for o in alive]}"
    leftover = [task.get_name() for task in asyncio.all_tasks()
                if task is not asyncio.current_task()
                and task.get_name().startswith(("nats-link", "outbox-relay", "housekeeping",
                                                "lobby-sweeper", "video-", "citizen-erasure"))]
    assert leftover == []
