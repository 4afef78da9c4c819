"""Meeting, voting and the portal start without NATS, stay in service, and heal when it comes.

Before, each waited for NATS at startup and its /readyz answered 503 without it, so a NATS
outage took every pod out of the load balancer although the outbox exists to ride it out.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import yaml

from ratsraum_common.auth import TokenVerifier
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_devstack.ports import free_port

RULES = Path(__file__).parents[2] / "deploy/helm/ratsraum/files/ratsraum-alerts.yaml"
WAIT = 0.2  # seconds each service waits for NATS at startup before it goes on degraded


def _apps(data: Path, nats_url: str) -> dict[str, Any]:
    from ratsraum_meeting.config import Settings as MeetingSettings
    from ratsraum_meeting.main import build_app as build_meeting
    from ratsraum_portal.config import Settings as PortalSettings
    from ratsraum_portal.main import build_app as build_portal
    from ratsraum_voting.config import Settings as VotingSettings
    from ratsraum_voting.main import build_app as build_voting

    voting = build_voting(VotingSettings(
        data_dir=data / "voting", database_url=f"sqlite+aiosqlite:///{data / 'voting.db'}",
        nats_url=nats_url, grpc_port=0, nats_startup_wait_seconds=WAIT))
    meeting = build_meeting(MeetingSettings(
        data_dir=data / "meeting", database_url=f"sqlite+aiosqlite:///{data / 'meeting.db'}",
        nats_url=nats_url, grpc_port=0, seed_demo=True, nats_startup_wait_seconds=WAIT,
        voting_target=f"127.0.0.1:{free_port()}"),
        token_verifier=TokenVerifier(issuer="-", audience="-", jwks_url="-"))
    portal = build_portal(PortalSettings(
        data_dir=data / "portal", database_url=f"sqlite+aiosqlite:///{data / 'portal.db'}",
        nats_url=nats_url, nats_startup_wait_seconds=WAIT,
        meeting_grpc_target=f"127.0.0.1:{free_port()}"))
    return {"voting": voting, "meeting": meeting, "citizen-portal": portal}


@contextlib.asynccontextmanager
async def _running(apps: dict[str, Any]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for name, app in apps.items():
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients[name] = await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"))
        yield clients


async def test_services_start_and_stay_ready_without_nats(tmp_path: Path) -> None:
    port = free_port()
    nats_url = f"nats://127.0.0.1:{port}"  # nothing listens here yet
    # Bounded: a shutdown that waits for NATS forever (it is stopped again below) would hang.
    async with asyncio.timeout(90), _running(_apps(tmp_path, nats_url)) as clients:
        for name, client in clients.items():
            ready = await client.get("/readyz")
            assert ready.status_code == 200, (name, ready.text)
            assert ready.json()["status"] == "degraded", name
            assert "nats" in ready.json()["down"], name
            assert "outbox" in ready.json()["checks"]["nats"], name
        meeting_down = (await clients["meeting"].get("/readyz")).json()["down"]
        assert meeting_down == ["nats", "voting"]  # degraded by both, still in service
        exposed = "".join([(await c.get("/metrics")).text for c in clients.values()])
        assert _alerted_metrics() <= set(re.findall(r"^# TYPE (\S+)", exposed, re.M))

        server = NatsServer(tmp_path / "nats", port=port).start()
        try:
            for name in ("voting", "citizen-portal"):
                for _ in range(200):
                    body = (await clients[name].get("/readyz")).json()
                    if body["status"] == "ok":
                        break
                    await asyncio.sleep(0.05)
                assert body["status"] == "ok", (name, body)
            for _ in range(200):
                body = (await clients["meeting"].get("/readyz")).json()
                if "nats" not in body["down"]:
                    break
                await asyncio.sleep(0.05)
            assert body["down"] == ["voting"], body  # voting's gRPC port is not served here
        finally:
            server.stop()


def _alerted_metrics() -> set[str]:
    """Every metric the alert rules refer to."""
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    names = {n for rule in rules for n in re.findall(
        r"\b([a-z]+_(?:outbox_backlog|outbox_oldest_pending_age_seconds|"
        r"events_dead_lettered_total))\b", rule["expr"])}
    assert len(names) == 6
    return names
