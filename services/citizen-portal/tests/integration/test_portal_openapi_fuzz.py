"""Generated requests against the portal's OpenAPI: never a 5xx.

The portal is public (no roles, no tokens); a stray Authorization header must change nothing.
Meeting is unreachable here, so no answer may depend on it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ratsraum_devstack.fuzz import examples_per_operation, fuzz

ROLES = {"anonymous": {}, "stray-token": {"Authorization": "Bearer not.a.token"}}


async def test_no_generated_request_gets_a_server_error(
    sqlite_portal: Any, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    openapi = (await sqlite_portal.http.get("/api/v1/openapi.json")).json()
    report = await asyncio.to_thread(fuzz, openapi=openapi, base_url=sqlite_portal.url,
                                     roles=ROLES, examples=examples_per_operation())
    print("portal:", report.summary())
    assert report.operations >= 4
    assert report.failures == [], "\n".join(report.failures[:20])
