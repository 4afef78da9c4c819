"""Live updates over Server-Sent Events, and the per-process stream limit."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ratsraum_common.telemetry import configure_tracing

Portal = Any  # the conftest's Portal


async def sse_events(response: httpx.Response) -> AsyncIterator[dict[str, str]]:
    """Parse a text/event-stream into {event, id, data} dicts (comments are skipped)."""
    event: dict[str, str] = {}
    async for line in response.aiter_lines():
        if not line:
            if event:
                yield event
            event = {}
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        event[field] = event.get(field, "") + value if field == "data" else value


async def test_stream_sends_snapshot_then_update_within_a_second(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)

    url = f"/{tenant}/sitzungen/{meeting.id}/live"
    async with sqlite_portal.http.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
        first = await asyncio.wait_for(anext(events), 5)
        assert first["event"] == "meeting"
        assert first["id"] == "1"
        assert json.loads(first["data"])["agenda"][1]["live_vote"]["ballots_cast"] == 7

        # The clerk closes the vote on item 2.
        closed = new_meeting(meeting.id)
        item = closed.agenda[1]
        item.status = "decided"
        item.ClearField("live_vote")
        item.result.outcome = "rejected"
        item.result.method = "open"
        item.result.yes, item.result.no, item.result.abstain = 4, 5, 2
        started = time.monotonic()
        await publish(closed, 2)
        update = await asyncio.wait_for(anext(events), 5)
        latency = time.monotonic() - started
        print(f"SSE update latency: {latency * 1000:.1f} ms")
        assert update["event"] == "meeting"
        assert update["id"] == "2"
        result = json.loads(update["data"])["agenda"][1]["result"]
        assert (result["outcome"], result["yes"], result["no"]) == ("rejected", 4, 5)
        assert latency < 5


async def test_stream_limit_answers_503_problem(
    start_portal: Any, sqlite_url: str, unreachable_meeting: str, publish: Any,
    new_meeting: Any, tenant: str,
) -> None:
    async with start_portal(sqlite_url, unreachable_meeting, max_sse_streams=1) as portal:
        meeting = new_meeting()
        await publish(meeting, 1)
        await portal.wait_for_meeting(tenant, meeting.id)
        url = f"/{tenant}/sitzungen/{meeting.id}/live"
        async with portal.http.stream("GET", url) as first:
            # Keep the reader referenced: a collected generator would close the stream.
            reader = sse_events(first)
            await asyncio.wait_for(anext(reader), 5)
            metrics = (await portal.http.get("/metrics")).text
            assert "portal_sse_clients 1.0" in metrics
            second = await portal.http.get(url)
            assert second.status_code == 503
            assert second.headers["content-type"] == "application/problem+json"
            assert second.json()["type"].endswith("/too-many-streams")
            await reader.aclose()
        # The closed stream frees its place.
        async def freed() -> bool:
            return "portal_sse_clients 0.0" in (await portal.http.get("/metrics")).text

        deadline = time.monotonic() + 5
        while not await freed():
            assert time.monotonic() < deadline, "stream slot was not released"
            await asyncio.sleep(0.05)


async def test_stream_for_unknown_meeting_is_404_problem(
    sqlite_portal: Portal, tenant: str
) -> None:
    response = await sqlite_portal.http.get(f"/{tenant}/sitzungen/nope/live")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_live_push_continues_the_trace_of_the_change(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    exporter = InMemorySpanExporter()
    configure_tracing("citizen-portal-test", exporter=exporter)
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    subject = f"ratsraum.{tenant}.meeting.public.meeting.updated"
    deadline = time.monotonic() + 5
    while not (pushes := [s for s in exporter.get_finished_spans()
                          if s.name == f"push {subject}"]):
        assert time.monotonic() < deadline, "no push span was recorded"
        await asyncio.sleep(0.05)
    assert len(pushes) == 1
    push = pushes[0]
    # The publisher's traceparent: 4bf92f35... is the trace, 00f067aa... the parent span.
    assert format(push.context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert push.parent is not None
    assert format(push.parent.span_id, "016x") == "00f067aa0ba902b7"



async def _third_stream(portal: Portal, url: str, other_url: str) -> httpx.Response:
    """Open two streams of `url`, then answer a third request (another town's stream open)."""
    async with portal.http.stream("GET", url) as one, portal.http.stream("GET", url) as two:
        readers = [sse_events(one), sse_events(two)]
        for reader in readers:
            await asyncio.wait_for(anext(reader), 5)
        third = await portal.http.get(url)
        async with portal.http.stream("GET", other_url) as elsewhere:
            assert elsewhere.status_code == 200  # another town is not held up by this one
        for reader in readers:
            await reader.aclose()
        return third


@pytest.mark.parametrize(("limits", "refused"), [
    ({"sse_streams_per_client": 2, "sse_streams_per_town": 10}, "too-many-streams-for-user"),
    ({"sse_streams_per_client": 10, "sse_streams_per_town": 2}, "too-many-streams-for-town"),
])
async def test_one_client_and_one_town_get_a_share_of_the_streams_not_all(
    start_portal: Any, sqlite_url: str, unreachable_meeting: str, publish: Any,
    new_meeting: Any, tenant: str, limits: dict[str, int], refused: str,
) -> None:
    async with start_portal(sqlite_url, unreachable_meeting, **limits) as portal:
        meeting, other_town = new_meeting(), new_meeting()
        other_town.tenant.id = f"{tenant}-b"
        for m in (meeting, other_town):
            await publish(m, 1)
            await portal.wait_for_meeting(m.tenant.id, m.id)
        third = await _third_stream(portal, f"/{tenant}/sitzungen/{meeting.id}/live",
                                    f"/{other_town.tenant.id}/sitzungen/{other_town.id}/live")
        assert third.status_code == 429
        assert third.headers["content-type"] == "application/problem+json"
        assert third.json()["type"].endswith(f"/{refused}")
        assert third.headers["retry-after"]
