"""Video presence reaches the screens: webhooks push live, Teams reports are polled and
reconciled, push registrations are renewed before they expire (all against stateful fakes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from ratsraum_common import demo
from ratsraum_meeting.attendance.models import AttendanceSpan
from ratsraum_meeting.jobs import video_background as background
from ratsraum_meeting.lobby.models import LobbyEntry
from ratsraum_meeting.publish.snapshot import load_public_meeting
from ratsraum_meeting.timeutil import utc
from ratsraum_meeting.video.fakes.server import serve as serve_fake
from ratsraum_meeting.video.fakes.teams import FakeGraph
from ratsraum_meeting.video.fakes.webex import FakeWebex
from ratsraum_meeting.video.models import VideoRoom, VideoSubscription
from ratsraum_meeting.video.webex_spec import load_spec

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
BECKER = next(p for p in demo.PEOPLE if p.username == "becker").subject
OTHER = next(p for p in demo.PEOPLE if p.is_member and p.username != "becker")


@dataclass
class Teams:
    """The fake Graph, wired to post into the meeting app, with a switch to lose notes."""

    fake: FakeGraph
    room_id: str = ""
    lose_notifications: bool = False


def _deliver_into(meeting, teams: Teams | None = None):  # type: ignore[no-untyped-def]
    async def deliver(url: str, headers: dict[str, str], body: bytes) -> int:
        parts = urlsplit(url)
        if teams is not None and teams.lose_notifications and "validationToken" not in url:
            return 202  # Graph thinks it delivered; we never saw it
        answer = await meeting.client.post(f"{parts.path}?{parts.query}", headers=headers,
                                           content=body)
        return answer.status_code

    return deliver


async def _room_by_a_join(meeting, issuer) -> str:  # type: ignore[no-untyped-def]
    """Another member's join creates the provider room (and its subscriptions)."""
    joined = await meeting.client.get(f"{BASE}/join", headers=issuer.person(OTHER.username))
    assert joined.status_code == 200, joined.text
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        room = await session.scalar(select(VideoRoom.room_id))
    assert room
    return str(room)


@pytest.fixture
async def teams(meeting, issuer, monkeypatch) -> AsyncIterator[Teams]:  # type: ignore[no-untyped-def]
    """Teams (fake Graph) as the town's provider; the meeting is open with a room."""
    holder = Teams(FakeGraph(client_id="app", client_secret="s3cret", deliver=None))  # type: ignore[arg-type]
    holder.fake.deliver = _deliver_into(meeting, holder)
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_T_SECRET", "s3cret")
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_T_STATE", "client-state-0123")
    async with serve_fake(holder.fake.app) as base:
        answer = await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"),
                                          json={"provider": "teams", "options": {
                                              "azure_tenant": "soest", "client_id": "app",
                                              "organizer_id": "org-1", "graph_url": base,
                                              "login_url": base},
                                              "secret_env": {
                                              "client_secret": "RATSRAUM_VIDEO_SOEST_T_SECRET",
                                              "client_state": "RATSRAUM_VIDEO_SOEST_T_STATE"}})
        assert answer.status_code == 200, answer.text
        clerk = issuer.person("richter")
        assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
        holder.room_id = await _room_by_a_join(meeting, issuer)
        yield holder


async def _present(meeting) -> int:  # type: ignore[no-untyped-def]
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        snapshot = await load_public_meeting(session, demo.MEETING_ID)
    assert snapshot is not None
    return snapshot.present


async def test_a_webhook_shows_the_waiting_member_on_the_clerks_screen(  # type: ignore[no-untyped-def]
        meeting, issuer, teams, serve, sse) -> None:
    clerk = issuer.person("richter")
    async with serve(meeting.app) as url, httpx.AsyncClient(base_url=url) as http, \
            http.stream("GET", f"{BASE}/live", headers=clerk) as stream:
        events = sse(stream)
        assert (await events.next())[0] == "state"
        # Becker enters the Teams meeting directly (shared link), not through Ratsraum.
        await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=True)
        assert teams.fake.delivered[-1] == 204
        waiting = (await events.until("lobby"))["waiting"]
        assert BECKER in [w["person_id"] for w in waiting]

        assert (await http.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)).status_code == 200
        present = await _present(meeting)
        connected = (await events.until("attendance"))["connected"]
        assert [c["person_id"] for c in connected] == [BECKER]

        await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=False)
        assert (await events.until("attendance"))["connected"] == []
        assert (await events.until("quorum"))["present"] == 0
        assert await _present(meeting) == present - 1  # the public snapshot followed


async def test_lost_call_events_are_made_good_by_the_attendance_report_once(  # type: ignore[no-untyped-def]
        meeting, issuer, teams) -> None:
    db, settings = meeting.app.state.db, meeting.app.state.settings
    clerk = issuer.person("richter")
    teams.lose_notifications = True
    await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=True)
    lobby = (await meeting.client.get(f"{BASE}/lobby", headers=clerk)).json()
    assert BECKER not in [e["person_id"] for e in lobby]
    assert await background.poll_presence_once(db, settings) == 1
    lobby = (await meeting.client.get(f"{BASE}/lobby", headers=clerk)).json()
    assert BECKER in [e["person_id"] for e in lobby]
    assert (await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
            ).status_code == 200
    # The report says again what we know: nothing is applied twice.
    assert await background.poll_presence_once(db, settings) == 0

    teams.lose_notifications = False  # this leave arrives as a call event
    await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=False)
    assert await background.poll_presence_once(db, settings) == 0
    await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=True)
    assert (await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
            ).status_code == 200

    teams.lose_notifications = True  # this leave is lost: only the report knows
    await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=False)
    left_at = teams.fake.intervals[teams.room_id][BECKER][-1]["leaveDateTime"]
    await asyncio.sleep(0.05)
    assert await background.poll_presence_once(db, settings) == 1
    assert (await meeting.client.get(f"{BASE}/connected", headers=clerk)).json() == []
    async with db.tenant_session(demo.TENANT) as session:
        spans = (await session.scalars(select(AttendanceSpan).where(
            AttendanceSpan.person_id == BECKER).order_by(AttendanceSpan.id))).all()
    assert len(spans) == 2  # two admissions, two stretches: none counted twice
    assert all(s.left_at is not None for s in spans)
    # The stretch ends when Teams saw Becker go, not when the report reached us.
    assert utc(spans[-1].left_at).isoformat()[:22] == left_at[:22]  # type: ignore[arg-type]


async def test_the_poller_runs_with_the_app(  # type: ignore[no-untyped-def]
        start_meeting, fake_voting, issuer, monkeypatch) -> None:
    monkeypatch.setenv("MEETING_VIDEO_PRESENCE_POLL_INTERVAL_SECONDS", "0.2")
    meeting = await start_meeting(f"127.0.0.1:{fake_voting[1]}")
    assert meeting.app.state.settings.video_presence_poll_interval_seconds == 0.2
    holder = Teams(FakeGraph(client_id="app", client_secret="s3cret", deliver=None))  # type: ignore[arg-type]
    holder.fake.deliver = _deliver_into(meeting, holder)
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_T_SECRET", "s3cret")
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_T_STATE", "client-state-0123")
    async with serve_fake(holder.fake.app) as base:
        await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"), json={
            "provider": "teams", "options": {"azure_tenant": "soest", "client_id": "app",
                                             "organizer_id": "org-1", "graph_url": base,
                                             "login_url": base},
            "secret_env": {"client_secret": "RATSRAUM_VIDEO_SOEST_T_SECRET",
                           "client_state": "RATSRAUM_VIDEO_SOEST_T_STATE"}})
        await meeting.client.post(f"{BASE}/open", headers=issuer.person("richter"))
        room_id = await _room_by_a_join(meeting, issuer)
        holder.lose_notifications = True
        await holder.fake.roster(room_id, BECKER, "Dr. Becker", joined=True)
        clerk = issuer.person("richter")
        for _ in range(50):
            lobby = (await meeting.client.get(f"{BASE}/lobby", headers=clerk)).json()
            if BECKER in [e["person_id"] for e in lobby]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the poller never brought Becker into the lobby")


async def _subscriptions(meeting) -> list[VideoSubscription]:  # type: ignore[no-untyped-def]
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        return list((await session.scalars(select(VideoSubscription))).all())


async def _waiting(meeting) -> bool:  # type: ignore[no-untyped-def]
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        state = await session.scalar(select(LobbyEntry.state).where(
            LobbyEntry.person_id == BECKER))
    return state == "waiting"


async def test_graph_subscriptions_are_renewed_before_they_expire(  # type: ignore[no-untyped-def]
        meeting, issuer, teams) -> None:
    db = meeting.app.state.db
    short = meeting.app.state.settings.model_copy(update={
        "video_subscription_lifetime_seconds": 4.0,
        "video_subscription_renew_margin_seconds": 2.0})
    [sub] = await _subscriptions(meeting)
    assert sub.expires_at is not None  # asked for a bounded life, as Graph demands
    teams.fake.max_lifetime = timedelta(seconds=4)
    teams.fake.busy = 1  # the first renewal meets a 503: retried within bounds
    assert await background.renew_subscriptions_once(db, short) == 0  # not due for an hour
    for row in teams.fake.subscriptions:
        row["expirationDateTime"] = (utc(sub.expires_at) - timedelta(minutes=59, seconds=58)
                                     ).isoformat()  # as if created with a short life
    async with db.transaction(demo.TENANT) as session:
        stored = await session.get(VideoSubscription, sub.id)
        assert stored is not None
        stored.expires_at = utc(sub.expires_at) - timedelta(minutes=59, seconds=58)
    assert await background.renew_subscriptions_once(db, short) == 1
    [renewed] = await _subscriptions(meeting)
    assert renewed.subscription_id == sub.subscription_id
    assert utc(renewed.expires_at) > utc(stored.expires_at)  # type: ignore[arg-type]
    await asyncio.sleep(2.5)  # past the original expiry: notifications still arrive
    await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=True)
    assert await _waiting(meeting)

    await asyncio.sleep(2.0)  # nobody renewed: Graph dropped it; the next round subscribes anew
    assert teams.fake.live_subscriptions() == []
    assert await background.renew_subscriptions_once(db, short) == 1
    [fresh] = await _subscriptions(meeting)
    assert fresh.subscription_id != sub.subscription_id
    await teams.fake.roster(teams.room_id, BECKER, "Dr. Becker", joined=False)
    assert not await _waiting(meeting)


async def test_deactivated_webex_webhooks_are_reactivated(  # type: ignore[no-untyped-def]
        meeting, issuer, monkeypatch) -> None:
    fake = FakeWebex(spec=load_spec(), token="webex-token", deliver=_deliver_into(meeting))
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_W_TOKEN", "webex-token")
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_W_HOOK", "hook-secret")
    async with serve_fake(fake.app) as base:
        fake.base_url = base
        await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"), json={
            "provider": "webex", "options": {"base_url": base},
            "secret_env": {"token": "RATSRAUM_VIDEO_SOEST_W_TOKEN",
                           "webhook_secret": "RATSRAUM_VIDEO_SOEST_W_HOOK"}})
        await meeting.client.post(f"{BASE}/open", headers=issuer.person("richter"))
        await _room_by_a_join(meeting, issuer)
        subs = await _subscriptions(meeting)
        assert sorted(s.topic for s in subs) == ["joined", "left"]
        assert all(s.expires_at is None for s in subs)  # Webex webhooks do not expire
        for hook in fake.webhooks:
            fake.deactivate(hook["id"])
        db, settings = meeting.app.state.db, meeting.app.state.settings
        assert await background.renew_subscriptions_once(db, settings) == 2
        assert {h["status"] for h in fake.webhooks} == {"active"}
        link = (await meeting.client.get(f"{BASE}/join", headers=issuer.person("becker"))
                ).json()["url"]
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(link)).status_code == 200  # into Webex's lobby
        assert fake.delivered[-1] == 204
