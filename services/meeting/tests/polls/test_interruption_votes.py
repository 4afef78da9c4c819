"""An interruption during a vote, against the real voting service: the vote is cancelled in
voting and void here, casts are refused, and after resuming it is re-run with a fresh roll."""

from __future__ import annotations

import uuid

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4, public and votable
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
BY_NAME = {p.username: p for p in MEMBERS}


async def _cast(meeting, issuer, poll_id: str, username: str, choice: str = "yes"):  # type: ignore[no-untyped-def]
    return await meeting.client.post(
        f"/api/v1/polls/{poll_id}/ballots", json={"choice": choice},
        headers={**issuer.person(username), "Idempotency-Key": uuid.uuid4().hex})


async def test_interrupt_voids_the_vote_and_resume_reruns_it_with_a_fresh_roll(
        start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=7)  # schulte … neumann
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "open"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = opened.json()["id"]
    assert (await _cast(meeting, issuer, poll_id, "becker")).status_code == 201

    interrupted = await meeting.client.post(
        f"{BASE}/interrupt", json={"reason": "Videokonferenz ausgefallen"}, headers=chair)
    assert interrupted.status_code == 200, interrupted.text
    assert interrupted.json()["data"]["voided_polls"] == [poll_id]
    assert interrupted.json()["data"]["not_cancelled"] == []
    # Voting itself refuses further casts: the poll is cancelled there, not only here.
    late = await _cast(meeting, issuer, poll_id, "hoffmann")
    assert late.status_code == 409, late.text
    assert late.json()["type"].endswith("poll-not-open")
    void = (await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=clerk)).json()
    assert void["state"] == "void"
    assert void["result"]["void_reason"] == "Sitzung unterbrochen: Videokonferenz ausgefallen"
    log = (await meeting.client.get(f"/api/v1/polls/{poll_id}/log", headers=clerk)).json()
    assert [e["kind"] for e in log][-1] == "void"
    blocked = await meeting.client.post(f"{BASE}/agenda-items/{demo.AGENDA[2].id}/polls",
                                        json={"method": "open"}, headers=clerk)
    assert blocked.status_code == 409
    agenda = (await meeting.client.get(BASE, headers=clerk)).json()["agenda"]
    assert next(i for i in agenda if i["id"] == ITEM.id)["status"] == "called"

    # While the session stands still, one member leaves, another arrives, one declares a
    # conflict on the item: the re-run's roll must reflect all three.
    leaves, arrives, conflicted = BY_NAME["yilmaz"], BY_NAME["schmitz"], BY_NAME["wagner"]
    for person, presence in ((leaves, "absent"), (arrives, "in_room")):
        put = await meeting.client.put(f"{BASE}/attendance/{person.subject}",
                                       json={"presence": presence}, headers=clerk)
        assert put.status_code == 200, put.text
    declared = await meeting.client.post(
        f"{BASE}/agenda-items/{ITEM.id}/conflicts",
        json={"person_id": conflicted.subject, "reason": "Eigentümer eines Grundstücks"},
        headers=clerk)
    assert declared.status_code == 201, declared.text

    resumed = await meeting.client.post(f"{BASE}/resume", json={"reason": "Video läuft"},
                                        headers=chair)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["data"]["rerun_offered"] == [poll_id]
    rerun = await meeting.client.post(f"/api/v1/polls/{poll_id}/rerun",
                                      json={"reason": "Wiederholung nach Unterbrechung"},
                                      headers=chair)
    assert rerun.status_code == 201, rerun.text
    new_id = rerun.json()["id"]
    assert rerun.json()["roll_size"] == 6  # 7 - yilmaz - wagner (conflict) + schmitz
    assert (await _cast(meeting, issuer, new_id, arrives.username)).status_code == 201
    for outsider in (leaves, conflicted):
        refused = await _cast(meeting, issuer, new_id, outsider.username)
        assert refused.status_code == 403, refused.text
    assert (await _cast(meeting, issuer, poll_id, "becker")).status_code == 409
    for username in ("becker", "hoffmann", "krause"):
        assert (await _cast(meeting, issuer, new_id, username)).status_code == 201
    closed = await meeting.client.post(f"/api/v1/polls/{new_id}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    assert closed.json()["result"]["ballots_cast"] == 4
    old = (await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=clerk)).json()
    assert old["result"]["rerun_poll_id"] == new_id


async def test_a_closed_vote_is_rerun_with_who_is_present_now(
        start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=7)
    poll_id = (await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                         json={"method": "open"}, headers=clerk)).json()["id"]
    await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    for username in ("schmitz", "klein"):
        await meeting.client.put(f"{BASE}/attendance/{BY_NAME[username].subject}",
                                 json={"presence": "remote"}, headers=clerk)
    rerun = await meeting.client.post(f"/api/v1/polls/{poll_id}/rerun",
                                      json={"reason": "Ton im Saal ausgefallen"}, headers=chair)
    assert rerun.status_code == 201, rerun.text
    assert rerun.json()["roll_size"] == 9  # not the old roll of 7
    assert (await _cast(meeting, issuer, rerun.json()["id"], "klein")).status_code == 201
