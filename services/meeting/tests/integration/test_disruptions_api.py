"""Disruptions: reports from the app and by phone, lateness, interrupt, resume, the sphere."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from ratsraum_common import demo
from ratsraum_meeting.disruptions.service import disruptions

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[2]
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


def _ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def test_reports_from_app_and_phone_and_when_they_do_not_count(meeting, issuer) -> None:
    clerk, member = issuer.person("richter"), issuer.person(MEMBERS[2].username)
    early = await meeting.client.post(f"{BASE}/disruptions", json={"lost": "sound"},
                                      headers=member)
    assert early.status_code == 409  # not in session yet
    await meeting.open_and_attend(clerk, present=7)
    own = await meeting.client.post(f"{BASE}/disruptions", json={"lost": "sound"},
                                    headers=member)
    assert own.status_code == 201, own.text
    assert (own.json()["channel"], own.json()["counts"]) == ("app", True)
    other = await meeting.client.post(
        f"{BASE}/disruptions", json={"lost": "both", "person_id": MEMBERS[3].subject},
        headers=member)
    assert other.status_code == 403
    phone = await meeting.client.post(
        f"{BASE}/disruptions", json={"lost": "picture", "person_id": MEMBERS[3].subject,
                                     "since": _ago(40)}, headers=clerk)
    assert (phone.json()["channel"], phone.json()["counts"]) == ("phone", False)
    assert phone.json()["late_reason"] == "deadline"  # profile: 15 minutes
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "open"}, headers=clerk)
    poll_id = opened.json()["id"]
    voter = issuer.person(MEMBERS[4].username)
    await meeting.client.post(f"/api/v1/polls/{poll_id}/ballots", json={"choice": "yes"},
                              headers={**voter, "Idempotency-Key": uuid.uuid4().hex})
    await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    after = await meeting.client.post(f"{BASE}/disruptions",
                                      json={"lost": "both", "since": _ago(5)}, headers=voter)
    assert after.json()["late_reason"] == "took_part_again"
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        record = await disruptions(session, meeting_id=demo.MEETING_ID)
    assert [r.counts for r in record.reports] == [True, False, False]


async def test_towns_sphere_interrupts_and_offers_reruns_member_sphere_continues(
        meeting, issuer) -> None:
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=7)
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "open"}, headers=clerk)
    closed_id = opened.json()["id"]
    member = issuer.person(MEMBERS[5].username)
    await meeting.client.post(f"{BASE}/disruptions", json={"lost": "both"}, headers=member)
    decision = {"sphere": "member", "reason": "WLAN des Mitglieds gestört"}
    refused = await meeting.client.post(f"{BASE}/disruptions/decision", json=decision,
                                        headers=clerk)
    assert refused.status_code == 403
    mine = await meeting.client.post(f"{BASE}/disruptions/decision", json=decision,
                                     headers=chair)
    assert mine.status_code == 201, mine.text
    assert (mine.json()["data"]["voided_polls"], mine.json()["data"]["rerun_due"]) == ([], [])
    status = await meeting.client.get(BASE, headers=clerk)
    assert status.json()["status"] == "running"
    await meeting.client.post(f"{BASE}/disruptions", json={"lost": "sound"}, headers=member)
    # One vote closed after the report, one still open when the chair decides.
    assert (await meeting.client.post(f"/api/v1/polls/{closed_id}/close",
                                      headers=clerk)).status_code == 200
    other = demo.AGENDA[3]
    open_id = (await meeting.client.post(f"{BASE}/agenda-items/{other.id}/polls",
                                         json={"method": "open"}, headers=clerk)).json()["id"]
    town = await meeting.client.post(
        f"{BASE}/disruptions/decision",
        json={"sphere": "town", "reason": "Server der Stadt ausgefallen"}, headers=chair)
    assert town.status_code == 201, town.text
    assert town.json()["data"]["voided_polls"] == [open_id]
    assert town.json()["data"]["rerun_due"] == [closed_id]
    assert (await meeting.client.get(BASE, headers=clerk)).json()["status"] == "interrupted"
    old = await meeting.client.get(f"/api/v1/polls/{open_id}", headers=clerk)
    assert old.json()["state"] == "void"
    assert old.json()["result"]["void_reason"] == (
        "Sitzung unterbrochen: Server der Stadt ausgefallen")
    blocked = await meeting.client.post(f"{BASE}/agenda-items/{demo.AGENDA[1].id}/polls",
                                        json={"method": "open"}, headers=clerk)
    assert blocked.status_code == 409  # no new vote while interrupted
    early = await meeting.client.post(f"/api/v1/polls/{open_id}/rerun",
                                      json={"reason": "Wiederholung"}, headers=chair)
    assert early.status_code == 409  # nor a re-run: it waits for the resumption
    assert "Fortsetzung" in early.json()["detail"]
    resumed = await meeting.client.post(f"{BASE}/resume", json={"reason": "Server läuft"},
                                        headers=chair)
    assert resumed.status_code == 200, resumed.text
    assert sorted(resumed.json()["data"]["rerun_offered"]) == sorted([open_id, closed_id])
    again = await meeting.client.post(f"{BASE}/resume", json={}, headers=chair)
    assert again.status_code == 409
    listed = await meeting.client.get(f"{BASE}/disruptions", headers=member)
    steps = [(s["kind"], s["sphere"]) for s in listed.json()["steps"]]
    assert steps == [("decision", "member"), ("interrupt", None), ("decision", "town"),
                     ("resume", None)]
    assert all(r["decision_id"] for r in listed.json()["reports"])
    for poll_id in (open_id, closed_id):
        rerun = await meeting.client.post(f"/api/v1/polls/{poll_id}/rerun",
                                          json={"reason": "Wiederholung nach Störung"},
                                          headers=chair)
        assert rerun.status_code == 201, rerun.text
        assert rerun.json()["state"] == "open"
        assert rerun.json()["roll_size"] == 7
        void = await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=clerk)
        assert void.json()["state"] == "void"
        assert void.json()["result"]["rerun_poll_id"] == rerun.json()["id"]
        await meeting.client.post(f"/api/v1/polls/{rerun.json()['id']}/close", headers=clerk)
    twice = await meeting.client.post(f"/api/v1/polls/{open_id}/rerun",
                                      json={"reason": "noch einmal"}, headers=chair)
    assert twice.status_code == 409


async def test_a_vote_voting_could_not_cancel_is_voided_before_resuming(
        meeting, issuer, fake_voting) -> None:
    fake, _port = fake_voting
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=7)
    poll_id = (await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                         json={"method": "open"}, headers=clerk)).json()["id"]
    fake.unavailable_calls = 3  # every bounded retry of the cancel fails
    interrupted = await meeting.client.post(f"{BASE}/interrupt", json={"reason": "Netz weg"},
                                            headers=chair)
    assert interrupted.status_code == 200, interrupted.text  # the interruption stands
    assert interrupted.json()["data"]["not_cancelled"] == [poll_id]
    fake.unavailable_calls = 3
    refused = await meeting.client.post(f"{BASE}/resume", json={}, headers=chair)
    assert refused.status_code == 503
    assert "bleibt unterbrochen" in refused.json()["detail"]
    assert (await meeting.client.get(BASE, headers=clerk)).json()["status"] == "interrupted"
    resumed = await meeting.client.post(f"{BASE}/resume", json={}, headers=chair)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["data"]["rerun_offered"] == [poll_id]
    void = (await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=clerk)).json()
    assert (void["state"], void["result"]["void_reason"]) == (
        "void", "Sitzung unterbrochen: Netz weg")
