"""The livestream and the public attendance list in meeting: the clerk sets the stream address
and who refused to be streamed; the public snapshot names the members present (name and kind
only) and carries the stream while the public part runs, and drops both in the closed part."""

from __future__ import annotations

from ratsraum_common import demo
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.publish.snapshot import load_public_meeting

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
CLOSED_ITEM = next(i for i in demo.AGENDA if not i.public)
PUBLIC_ITEM = next(i for i in demo.AGENDA if i.public)
URL = "https://stream.soest.example/rat/live.m3u8"


async def _snapshot(meeting):  # type: ignore[no-untyped-def]
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        snapshot = await load_public_meeting(session, demo.MEETING_ID)
        version = (await session.get(Meeting, demo.MEETING_ID)).version
    assert snapshot is not None
    return snapshot, version


async def test_the_clerk_sets_the_stream_and_records_who_refused(meeting, issuer) -> None:  # type: ignore[no-untyped-def]
    clerk, member = issuer.person("richter"), issuer.person("becker")
    body = {"url": URL, "captions_url": "https://stream.soest.example/rat/de.vtt",
            "refused_person_ids": [MEMBERS[1].subject, MEMBERS[3].subject]}
    refused = await meeting.client.put(f"{BASE}/stream", json=body, headers=member)
    assert refused.status_code == 403
    plain = await meeting.client.put(f"{BASE}/stream", headers=clerk,
                                     json={"url": "http://stream.soest.example/live.m3u8"})
    assert plain.status_code == 422
    assert plain.headers["content-type"].startswith("application/problem+json")
    script = await meeting.client.put(f"{BASE}/stream", headers=clerk,
                                      json={"url": "javascript:alert(1)"})
    assert script.status_code == 422
    stranger = await meeting.client.put(f"{BASE}/stream", headers=clerk,
                                        json={"url": URL, "refused_person_ids": ["niemand"]})
    assert stranger.status_code == 422
    assert stranger.json()["type"].endswith("not-a-member")

    saved = await meeting.client.put(f"{BASE}/stream", json=body, headers=clerk)
    assert saved.status_code == 200, saved.text
    names = sorted([MEMBERS[1].name, MEMBERS[3].name])
    assert [r["name"] for r in saved.json()["refused"]] == names
    # Replacing the list keeps one and drops the other; the chair may look.
    again = await meeting.client.put(f"{BASE}/stream", headers=clerk, json={
        "url": URL, "refused_person_ids": [MEMBERS[3].subject]})
    assert [r["person_id"] for r in again.json()["refused"]] == [MEMBERS[3].subject]
    shown = await meeting.client.get(f"{BASE}/stream", headers=issuer.person("schulte"))
    assert shown.json() == again.json()
    assert (await meeting.client.get(f"{BASE}/stream", headers=member)).status_code == 403

    # Before the session: nothing live in the public snapshot.
    before, _ = await _snapshot(meeting)
    assert not before.HasField("stream")
    assert list(before.attendees) == []


async def test_the_public_sees_who_is_present_and_the_stream_until_the_closed_part(
    meeting, issuer  # type: ignore[no-untyped-def]
) -> None:
    clerk = issuer.person("richter")
    assert (await meeting.client.put(f"{BASE}/stream", headers=clerk, json={
        "url": URL, "refused_person_ids": [MEMBERS[2].subject]})).status_code == 200
    await meeting.open_and_attend(clerk, present=6)
    remote = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[6].subject}",
                                      json={"presence": "remote"}, headers=clerk)
    assert remote.status_code == 200, remote.text

    during, version = await _snapshot(meeting)
    shown = {(a.name, a.presence) for a in during.attendees}
    assert shown == {(p.name, "in_room") for p in MEMBERS[:6]} | {(MEMBERS[6].name, "remote")}
    assert [a.name for a in during.attendees] == sorted(a.name for a in during.attendees)
    assert (during.stream.url, list(during.stream.refused_names)) == (URL, [MEMBERS[2].name])
    # Name and kind of presence only: no id, no party, no address in the attendee entry.
    assert {f.name for f, _v in during.attendees[0].ListFields()} == {"name", "presence"}

    # Moving from the room to video changes no count, but the public list must follow.
    moved = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[1].subject}",
                                     json={"presence": "remote"}, headers=clerk)
    assert moved.status_code == 200, moved.text
    after_move, moved_version = await _snapshot(meeting)
    assert moved_version > version
    assert (MEMBERS[1].name, "remote") in {(a.name, a.presence) for a in after_move.attendees}

    # Calling a closed item straight away republishes, without names and without stream.
    called = await meeting.client.post(f"{BASE}/agenda-items/{CLOSED_ITEM.id}/status",
                                       json={"status": "called"}, headers=clerk)
    assert called.status_code == 200, called.text
    closed, closed_version = await _snapshot(meeting)
    assert closed_version > moved_version
    assert closed.closed_part
    assert list(closed.attendees) == []
    assert not closed.HasField("stream")
