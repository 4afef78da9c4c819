"""One trace follows a member's cast from meeting's HTTP API through voting's gRPC service,
the outbox and NATS, to the citizen portal's live push.

The four services run in this process (so one in-memory exporter sees all their spans), each
as its real app served by uvicorn on its own port, with a real nats-server and SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from ratsraum_common import demo
from ratsraum_common.telemetry import configure_tracing
from ratsraum_devstack.oidc_login import login
from ratsraum_devstack.ports import free_port

EXPORTER = InMemorySpanExporter()


@contextlib.asynccontextmanager
async def serve(app: Any, port: int) -> AsyncIterator[None]:
    """Serve an app with uvicorn in this event loop, lifespan included."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def whole_system(data: Path, nats_url: str) -> AsyncIterator[dict[str, str]]:
    """identity, voting, meeting and portal apps serving on free ports."""
    from ratsraum_identity.config import Settings as IdentitySettings
    from ratsraum_identity.main import build_app as identity_app
    from ratsraum_meeting.config import Settings as MeetingSettings
    from ratsraum_meeting.main import build_app as meeting_app
    from ratsraum_portal.config import Settings as PortalSettings
    from ratsraum_portal.main import build_app as portal_app
    from ratsraum_voting.config import Settings as VotingSettings
    from ratsraum_voting.main import build_app as voting_app

    ports = {name: free_port() for name in
             ("identity", "voting_http", "voting_grpc", "meeting", "meeting_grpc", "portal")}
    issuer = f"http://127.0.0.1:{ports['identity']}"
    redirect = f"http://127.0.0.1:{ports['meeting']}/auth/callback"
    common = {"data_dir": data, "nats_url": nats_url}
    apps = [
        (identity_app(IdentitySettings(**common, http_port=ports["identity"], issuer=issuer,
                                       seed_demo=True, web_redirect_uris=[redirect])),
         ports["identity"]),
        (voting_app(VotingSettings(**common, http_port=ports["voting_http"],
                                   grpc_port=ports["voting_grpc"])), ports["voting_http"]),
        (meeting_app(MeetingSettings(**common, http_port=ports["meeting"],
                                     grpc_port=ports["meeting_grpc"], seed_demo=True,
                                     voting_target=f"127.0.0.1:{ports['voting_grpc']}",
                                     oidc_issuer=issuer)), ports["meeting"]),
        (portal_app(PortalSettings(**common, http_port=ports["portal"],
                                   meeting_grpc_target=f"127.0.0.1:{ports['meeting_grpc']}")),
         ports["portal"]),
    ]
    async with contextlib.AsyncExitStack() as stack:
        for app, port in apps:
            await stack.enter_async_context(serve(app, port))
        yield {"issuer": issuer, "redirect": redirect,
               "meeting": f"http://127.0.0.1:{ports['meeting']}",
               "portal": f"http://127.0.0.1:{ports['portal']}"}


async def token_for(http: httpx.AsyncClient, urls: dict[str, str], username: str,
                    data: Path) -> dict[str, str]:
    """Bearer header of a person signed in through the real code flow."""
    tokens = await login(http, issuer=urls["issuer"], client_id=demo.WEB_CLIENT_ID,
                         redirect_uri=urls["redirect"], username=username,
                         password=demo.ensure_credentials(data)[username], tenant=demo.TENANT)
    return {"Authorization": f"Bearer {tokens.access_token}"}


def spans_of_trace(trace_id: int) -> list[Any]:
    """Every finished span of one trace."""
    return [s for s in EXPORTER.get_finished_spans() if s.context.trace_id == trace_id]


async def test_one_trace_from_cast_to_portal_update(tmp_path: Path, own_nats_url: str) -> None:
    # Its own nats-server: on the session's server the portal would first work through every
    # earlier test's events (thousands by now) before the one this test traces.
    configure_tracing("trace-test", exporter=EXPORTER)
    item = next(i for i in demo.AGENDA if i.key == "o4")
    async with whole_system(tmp_path, own_nats_url) as urls, httpx.AsyncClient(timeout=15) as http:
        clerk = await token_for(http, urls, "richter", tmp_path)
        member = await token_for(http, urls, "becker", tmp_path)
        api = urls["meeting"] + f"/api/v1/meetings/{demo.MEETING_ID}"
        (await http.post(f"{api}/open", headers=clerk)).raise_for_status()
        for person in demo.PEOPLE[:7]:
            r = await http.put(f"{api}/attendance/{person.subject}", headers=clerk,
                               json={"presence": "in_room"})
            r.raise_for_status()
        r = await http.post(f"{api}/agenda-items/{item.id}/polls", headers=clerk,
                            json={"method": "open"})
        r.raise_for_status()
        poll_id = r.json()["id"]
        EXPORTER.clear()

        r = await http.post(f"{urls['meeting']}/api/v1/polls/{poll_id}/ballots",
                            json={"choice": "yes"},
                            headers={**member, "Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 201, r.text

        cast_span = next(
            s for s in EXPORTER.get_finished_spans()
            if s.kind == SpanKind.SERVER and s.name.startswith("POST")
            and "/ballots" in s.name
        )
        trace_id = cast_span.context.trace_id
        # The live push and the read model's update travel separately; wait for both.
        deadline = asyncio.get_running_loop().time() + 30

        def arrived(prefix: str) -> bool:
            return any(s.name.startswith(prefix) for s in spans_of_trace(trace_id))

        while not (arrived("push ") and arrived("process ratsraum.soest.meeting.public.")):
            assert asyncio.get_running_loop().time() < deadline, [
                s.name for s in spans_of_trace(trace_id)]
            await asyncio.sleep(0.05)

    names = [s.name for s in spans_of_trace(trace_id)]
    assert any("VotingService/CastBallot" in n for n in names), names
    # Voting's own span of the cast (batched casts carry each cast's traceparent).
    assert any("VotingService/CastBallot" in s.name and s.kind == SpanKind.SERVER
               for s in spans_of_trace(trace_id)), names
    assert any(n.startswith("publish ratsraum.soest.meeting.public.") for n in names), names
    assert any(n.startswith("process ratsraum.soest.meeting.public.") for n in names), names
    assert any(n.startswith("push ratsraum.soest.meeting.public.") for n in names), names
    kinds = {s.kind for s in spans_of_trace(trace_id)}
    assert {SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER} <= kinds


pytestmark = pytest.mark.timeout(120)
