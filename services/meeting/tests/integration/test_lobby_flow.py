"""Remote members through the lobby: join link, admission (logged), presence, heartbeats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from ratsraum_common import demo
from ratsraum_meeting.jobs.lobby_sweeper import sweep_stale
from ratsraum_meeting.jobs.video_presence import apply_events
from ratsraum_meeting.publish.snapshot import load_public_meeting
from ratsraum_meeting.timeutil import now
from ratsraum_meeting.video.base import PresenceEvent
from ratsraum_meeting.video.fakes.bbb import FakeBigBlueButton
from ratsraum_meeting.video.fakes.jitsi import FakeJitsi
from ratsraum_meeting.video.fakes.server import serve

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
BECKER = next(p for p in demo.PEOPLE if p.username == "becker").subject
SECRET = "bbb-lobby-secret"


@pytest.fixture
async def bbb(meeting, issuer, monkeypatch) -> AsyncIterator[FakeBigBlueButton]:  # type: ignore[no-untyped-def]
    """A fake BigBlueButton configured for the town, posting its webhooks into meeting."""

    async def deliver(url: str, headers: dict[str, str], body: bytes) -> int:
        parts = urlsplit(url)
        answer = await meeting.client.post(f"{parts.path}?{parts.query}", headers=headers,
                                           content=body)
        return answer.status_code

    fake = FakeBigBlueButton(secret=SECRET, deliver=deliver)
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_BBB", SECRET)
    async with serve(fake.app) as base:
        config = {"provider": "bbb", "options": {"base_url": f"{base}/bigbluebutton"},
                  "secret_env": {"secret": "RATSRAUM_VIDEO_SOEST_BBB"}}
        answer = await meeting.client.put("/api/v1/video/config",
                                          headers=issuer.person("lange"), json=config)
        assert answer.status_code == 200, answer.text
        yield fake


async def _present(meeting) -> int:  # type: ignore[no-untyped-def]
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        snapshot = await load_public_meeting(session, demo.MEETING_ID)
    assert snapshot is not None
    return snapshot.present


async def test_remote_member_waits_until_the_clerk_admits(meeting, issuer, bbb) -> None:  # type: ignore[no-untyped-def]
    member, clerk = issuer.person("becker"), issuer.person("richter")
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    joined = await meeting.client.get(f"{BASE}/join", headers=member)
    assert joined.status_code == 200, joined.text
    body = joined.json()
    assert (body["provider"], body["lobby"], body["personal"]) == ("bbb", "waiting", True)
    assert body["capabilities"]["admission"] == "client"
    async with httpx.AsyncClient() as browser:  # the member opens the provider link
        assert (await browser.get(body["url"])).status_code == 200
    await bbb.approve_guest(demo.MEETING_ID, BECKER)  # let in at BBB, not yet by Ratsraum
    assert bbb.delivered == [204]
    lobby = (await meeting.client.get(f"{BASE}/lobby", headers=clerk)).json()
    assert [e["person_id"] for e in lobby] == [BECKER]
    assert (await meeting.client.get(f"{BASE}/connected", headers=member)).json() == []
    before = await _present(meeting)

    admitted = await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
    assert admitted.status_code == 200, admitted.text
    clerk_id = next(p for p in demo.PEOPLE if p.username == "richter").subject
    assert admitted.json()["admitted_by"] == clerk_id
    log = (await meeting.client.get(f"{BASE}/admissions", headers=clerk)).json()
    assert [(a["person_id"], a["admitted_by"]) for a in log] == [(BECKER, clerk_id)]
    connected = (await meeting.client.get(f"{BASE}/connected", headers=member)).json()
    assert [(c["person_id"], c["presence"]) for c in connected] == [(BECKER, "remote")]
    assert await _present(meeting) == before + 1

    await bbb.leave(demo.MEETING_ID, BECKER)
    assert await _present(meeting) == before
    rows = (await meeting.client.get(f"{BASE}/attendance", headers=clerk)).json()
    assert next(r for r in rows if r["person_id"] == BECKER)["presence"] == "absent"


async def test_only_clerks_admit_and_only_waiting_members(meeting, issuer, bbb) -> None:  # type: ignore[no-untyped-def]
    member, clerk = issuer.person("becker"), issuer.person("richter")
    refused = await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=member)
    assert refused.status_code == 403
    not_waiting = await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
    assert not_waiting.status_code == 409
    assert not_waiting.headers["content-type"] == "application/problem+json"
    assert "Warteraum" in not_waiting.json()["detail"]
    elsewhere = {"Authorization": "Bearer " + issuer.token("x", ["clerk"], tenant="hamm")}
    assert (await meeting.client.get(f"{BASE}/lobby", headers=elsewhere)).status_code == 404


async def test_forged_webhook_is_refused_and_changes_nothing(meeting, issuer, bbb) -> None:  # type: ignore[no-untyped-def]
    await meeting.client.get(f"{BASE}/join", headers=issuer.person("becker"))
    hook = bbb.meetings[demo.MEETING_ID].hooks[0]
    path = urlsplit(hook)
    forged = await meeting.client.post(
        f"{path.path}?{path.query}&checksum=" + "0" * 64,
        content=b"domain=x&event=%5B%5D&timestamp=1",
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert forged.status_code == 401
    assert forged.json()["type"].endswith("/webhook-signature")
    unknown = await meeting.client.post("/api/v1/video/bbb/webhook?tenant=soest&meeting=nope")
    assert unknown.status_code == 404


async def test_join_without_configured_provider_says_whom_to_ask(meeting, issuer) -> None:  # type: ignore[no-untyped-def]
    answer = await meeting.client.get(f"{BASE}/join", headers=issuer.person("becker"))
    assert answer.status_code == 409
    assert "Büro für Ratsangelegenheiten" in answer.json()["detail"]
    bad = await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"), json={
        "provider": "bbb", "options": {"base_url": "https://bbb.example"},
        "secret_env": {"secret": "MEETING_DATABASE_URL"}})
    assert bad.status_code == 422
    # Another town's provider secret is refused when the admin saves, as a problem.
    theirs = await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"), json={
        "provider": "bbb", "options": {"base_url": "https://bbb.example"},
        "secret_env": {"secret": "RATSRAUM_VIDEO_ARNSBERG_BBB"}})
    assert theirs.status_code == 422
    assert theirs.headers["content-type"].startswith("application/problem+json")
    assert "RATSRAUM_VIDEO_SOEST_" in theirs.json()["detail"]
    clerk_tries = await meeting.client.put("/api/v1/video/config",
                                           headers=issuer.person("richter"),
                                           json={"provider": "jitsi"})
    assert clerk_tries.status_code == 403


async def test_heartbeats_keep_a_member_present_and_their_absence_ends_it(
    meeting, issuer, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    member, clerk = issuer.person("becker"), issuer.person("richter")
    fake = FakeJitsi(app_id="ratsraum", app_secret="jitsi-secret-for-the-lobby-test-0123")
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_JITSI", fake.app_secret)
    async with serve(fake.app) as base:
        await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"), json={
            "provider": "jitsi", "options": {"base_url": base, "app_id": "ratsraum"},
            "secret_env": {"app_secret": "RATSRAUM_VIDEO_SOEST_JITSI"}})
        joined = await meeting.client.get(f"{BASE}/join?redirect=true", headers=member)
        assert joined.status_code == 303
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(joined.headers["location"])).status_code == 200
    beat = await meeting.client.post(f"{BASE}/heartbeat", headers=member)
    assert beat.json() == {"lobby": "waiting"}  # heartbeats alone do not admit
    await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
    assert (await meeting.client.post(f"{BASE}/heartbeat", headers=member)).json() == {
        "lobby": "admitted"}
    db = meeting.app.state.db
    timeout = meeting.app.state.settings.lobby_heartbeat_timeout_seconds
    assert await sweep_stale(db, timeout_seconds=timeout) == 0  # heartbeats are fresh
    assert await sweep_stale(db, timeout_seconds=timeout,
                             at=now() + timedelta(seconds=timeout + 1)) == 1
    connected = (await meeting.client.get(f"{BASE}/connected", headers=member)).json()
    assert connected == []
    rows = (await meeting.client.get(f"{BASE}/attendance", headers=clerk)).json()
    assert next(r for r in rows if r["person_id"] == BECKER)["presence"] == "absent"
    again = await meeting.client.post(f"{BASE}/heartbeat", headers=member)
    assert again.status_code == 409  # gone means back through the lobby


async def test_member_checks_in_and_join_leave_times_are_kept(meeting, issuer) -> None:  # type: ignore[no-untyped-def]
    member, clerk = issuer.person("becker"), issuer.person("richter")
    checked = await meeting.client.post(f"{BASE}/check-in", headers=member)
    assert checked.status_code == 200, checked.text
    assert checked.json()["presence"] == "in_room"
    await meeting.client.put(f"{BASE}/attendance/{BECKER}", json={"presence": "absent"},
                             headers=clerk)
    await meeting.client.put(f"{BASE}/attendance/{BECKER}", json={"presence": "in_room"},
                             headers=clerk)
    row = next(c for c in (await meeting.client.get(f"{BASE}/connected", headers=member)).json()
               if c["person_id"] == BECKER)
    assert [s["left_at"] is None for s in row["spans"]] == [False, True]
    assert row["spans"][0]["left_at"] >= row["spans"][0]["joined_at"]
    chair_refused = await meeting.client.post(f"{BASE}/check-in",
                                              headers=issuer.person("richter"))
    assert chair_refused.status_code == 403


async def _into_the_video_lobby(meeting, member) -> None:  # type: ignore[no-untyped-def]
    joined = await meeting.client.get(f"{BASE}/join", headers=member)
    assert joined.status_code == 200, joined.text
    async with httpx.AsyncClient() as browser:  # the member opens the provider link
        assert (await browser.get(joined.json()["url"])).status_code == 200


async def test_a_member_checked_in_to_the_room_stays_there_whatever_the_lobby_hears(
    meeting, issuer, bbb  # type: ignore[no-untyped-def]
) -> None:
    """A remote member the clerk records in the room stays in the room (in NRW who is in the
    hall may take part in secret ballots that remote members may not); only the clerk or
    leaving ends it."""
    member, clerk = issuer.person("becker"), issuer.person("richter")
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    await _into_the_video_lobby(meeting, member)
    await bbb.approve_guest(demo.MEETING_ID, BECKER)
    admitted = await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
    assert admitted.status_code == 200, admitted.text
    recorded = await meeting.client.put(f"{BASE}/attendance/{BECKER}",
                                        json={"presence": "in_room"}, headers=clerk)
    assert recorded.status_code == 200, recorded.text

    async def presence() -> str:
        rows = (await meeting.client.get(f"{BASE}/attendance", headers=clerk)).json()
        return str(next(r for r in rows if r["person_id"] == BECKER)["presence"])

    # The member's app, still open from the video join, keeps beating.
    beat = await meeting.client.post(f"{BASE}/heartbeat", headers=member)
    assert beat.status_code == 200, beat.text
    assert await presence() == "in_room"
    # The provider reports the member (still) in the video call, later than anything known.
    db = meeting.app.state.db
    later = now() + timedelta(minutes=5)
    joined = PresenceEvent(room_id="", participant_key=BECKER, kind="joined", at=later)
    assert await apply_events(db, tenant=demo.TENANT, meeting_id=demo.MEETING_ID,
                              provider="bbb", events=[joined], only_new=True) == 1
    assert await presence() == "in_room"
    # The app goes quiet: the lobby lets them go, the room keeps them.
    timeout = meeting.app.state.settings.lobby_heartbeat_timeout_seconds
    assert await sweep_stale(db, timeout_seconds=timeout,
                             at=now() + timedelta(seconds=timeout + 1)) == 1
    assert await presence() == "in_room"
    connected = (await meeting.client.get(f"{BASE}/connected", headers=member)).json()
    assert [(c["person_id"], c["presence"]) for c in connected
            if c["person_id"] == BECKER] == [(BECKER, "in_room")]
    # Only the clerk moves them.
    await meeting.client.put(f"{BASE}/attendance/{BECKER}", json={"presence": "absent"},
                             headers=clerk)
    assert await presence() == "absent"


async def test_heartbeats_do_not_undo_the_clerks_record_of_absence(
    meeting, issuer, bbb  # type: ignore[no-untyped-def]
) -> None:
    member, clerk = issuer.person("becker"), issuer.person("richter")
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    await _into_the_video_lobby(meeting, member)
    await bbb.approve_guest(demo.MEETING_ID, BECKER)
    await meeting.client.post(f"{BASE}/lobby/{BECKER}/admit", headers=clerk)
    await meeting.client.put(f"{BASE}/attendance/{BECKER}", json={"presence": "absent"},
                             headers=clerk)
    assert (await meeting.client.post(f"{BASE}/heartbeat", headers=member)).status_code == 200
    rows = (await meeting.client.get(f"{BASE}/attendance", headers=clerk)).json()
    assert next(r for r in rows if r["person_id"] == BECKER)["presence"] == "absent"
