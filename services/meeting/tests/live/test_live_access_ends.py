"""An open live stream ends once its holder's access ends (account deactivated in identity)."""

from __future__ import annotations

import time

import httpx
import pytest

from ratsraum.identity.v1 import events_pb2
from ratsraum_common import demo
from ratsraum_common.events import make_envelope
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.publish.push import push_lobby
from ratsraum_meeting.signin.identity_events import identity_event_handler

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
RICHTER = demo.subject_for(demo.TENANT, "richter")
BECKER = next(p for p in demo.PEOPLE if p.username == "becker").subject


async def _deactivated(meeting, subject: str) -> None:  # type: ignore[no-untyped-def]
    """Handle identity's event as meeting's consumer does, then let this replica know."""
    _subject, envelope = make_envelope(
        tenant=demo.TENANT, service="identity", event="account.deactivated", traceparent=None,
        payload=events_pb2.AccountDeactivated(account_id=subject,
                                              not_before_ms=int(time.time() * 1000) + 1))
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        await identity_event_handler()(session, envelope)
    await meeting.app.state.revocations.refresh()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_deactivated_clerks_live_stream_ends_before_the_next_update(  # type: ignore[no-untyped-def]
        meeting, issuer, serve, sse) -> None:
    clerk = issuer.person("richter")
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http, \
            http.stream("GET", f"{BASE}/live", headers=clerk) as response:
        events = sse(response)
        assert (await events.next())[0] == "state"
        await _deactivated(meeting, RICHTER)
        db = meeting.app.state.db
        async with db.transaction(demo.TENANT) as session:
            found, _body = await get_meeting(session, meeting_id=demo.MEETING_ID)
            await lobby.request_join(session, meeting=found, person_id=BECKER)
        await push_lobby(db, tenant=demo.TENANT, meeting_id=demo.MEETING_ID)
        with pytest.raises(AssertionError, match="stream ended"):
            await events.next()
        again = await http.get(f"{BASE}/live", headers=clerk)
        assert again.status_code == 401
        assert again.json()["type"].endswith("/access-ended")
