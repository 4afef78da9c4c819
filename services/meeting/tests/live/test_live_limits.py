"""Live streams are limited per member and per town, not only per process."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from ratsraum_common import demo
from ratsraum_common.stream_limits import StreamLimits

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"


async def _open(stack: contextlib.AsyncExitStack, http: httpx.AsyncClient,
                headers: dict[str, str]) -> httpx.Response:
    response = await stack.enter_async_context(http.stream("GET", f"{BASE}/live",
                                                           headers=headers))
    return response


async def test_a_member_and_a_town_cannot_take_every_stream(  # type: ignore[no-untyped-def]
        meeting, issuer, serve) -> None:
    meeting.app.state.live_limits = StreamLimits(per_town=3, per_user=2)
    becker, clerk, wolf = (issuer.person(n) for n in ("becker", "richter", "wolf"))
    async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http:
        async with contextlib.AsyncExitStack() as streams:
            assert (await _open(streams, http, becker)).status_code == 200
            assert (await _open(streams, http, becker)).status_code == 200
            third = await http.get(f"{BASE}/live", headers=becker)
            assert third.status_code == 429
            problem = third.json()
            assert third.headers["content-type"].startswith("application/problem+json")
            assert problem["type"].endswith("too-many-streams-for-user")
            assert "Live-Ansichten" in problem["detail"]
            assert third.headers["Retry-After"]
            # The clerk's console counts against the town like any other stream.
            assert (await _open(streams, http, clerk)).status_code == 200
            town_full = await http.get(f"{BASE}/live", headers=wolf)
            assert town_full.status_code == 429
            assert town_full.json()["type"].endswith("too-many-streams-for-town")
        # Closed streams give their places back.
        async with contextlib.AsyncExitStack() as streams:
            for _ in range(50):
                if meeting.app.state.live_limits.open_for(tenant=demo.TENANT) == 0:
                    break
                await asyncio.sleep(0.05)
            assert meeting.app.state.live_limits.open_for(tenant=demo.TENANT) == 0
            assert (await _open(streams, http, wolf)).status_code == 200

