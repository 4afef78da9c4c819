"""Generated requests against meeting's whole OpenAPI as every role: never a 5xx.

Meeting runs on the demo town with real SQLite, NATS and a real SMTP server, voting faked at its
gRPC border. `make test` draws a few requests per operation; `make fuzz` many more.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from ratsraum_devstack.fuzz import examples_per_operation, fuzz, serve
from ratsraum_devstack.ports import free_port

ROLES = {"member": "becker", "chair": "schulte", "clerk": "richter", "admin": "lange"}


def _streams(method: str, path: str) -> bool:
    # Server-sent events stay open by design; their refusals are covered in tests/live.
    return path.endswith("/live")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_generated_request_gets_a_server_error(
    start_meeting: Any, fake_voting: Any, issuer: Any
) -> None:
    port = free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        running = await start_meeting(f"127.0.0.1:{fake_voting[1]}")
        app = running.app
        app.state.settings = app.state.settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none"})
        roles = {role: issuer.person(user) for role, user in ROLES.items()}
        roles["anonymous"] = {}
        openapi = (await running.client.get("/api/v1/openapi.json")).json()
        async with serve(app) as base_url:
            report = await asyncio.to_thread(
                fuzz, openapi=openapi, base_url=base_url, roles=roles,
                examples=examples_per_operation(), skip=_streams)
    finally:
        smtp.stop()
    print("meeting:", report.summary())
    assert report.operations > 80
    assert report.failures == [], "\n".join(report.failures[:20])
