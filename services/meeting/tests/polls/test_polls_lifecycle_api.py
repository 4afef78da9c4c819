"""The vote lifecycle from the meeting's side: cancel, show of hands, elections, re-run."""

from __future__ import annotations

import uuid

from ratsraum_common import demo
from ratsraum_meeting.publish.snapshot import load_public_meeting

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[2]  # Ö 3, public and votable
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _open(meeting, issuer, body: dict[str, object], *, kind: str = "polls") -> str:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=7)
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/{kind}", json=body,
                                       headers=clerk)
    assert opened.status_code == 201, opened.text
    return str(opened.json()["id"])


async def _cast(meeting, issuer, poll_id: str, choices: list[str]) -> None:
    for person, choice in zip(MEMBERS, choices, strict=False):
        cast = await meeting.client.post(f"/api/v1/polls/{poll_id}/ballots",
                                         json={"choice": choice},
                                         headers={**issuer.person(person.username), **_key()})
        assert cast.status_code == 201, cast.text


async def test_chair_cancels_with_reason_and_it_is_logged(meeting, issuer) -> None:
    poll_id = await _open(meeting, issuer, {"method": "open"})
    url = f"/api/v1/polls/{poll_id}/cancel"
    clerk_try = await meeting.client.post(url, json={"reason": "Antrag zurückgezogen"},
                                          headers=issuer.person("richter"))
    assert clerk_try.status_code == 403  # only the chair cancels
    no_reason = await meeting.client.post(url, json={"reason": ""},
                                          headers=issuer.person("schulte"))
    assert no_reason.status_code == 422
    cancelled = await meeting.client.post(url, json={"reason": "Antrag zurückgezogen"},
                                          headers=issuer.person("schulte"))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["result"]["cancel_reason"] == "Antrag zurückgezogen"
    again = await meeting.client.post(f"/api/v1/polls/{poll_id}/show-of-hands",
                                      json={"counts": {"yes": 1}},
                                      headers=issuer.person("richter"))
    assert again.status_code == 409
    assert "nichts geändert" in again.json()["detail"]
    log = await meeting.client.get(f"/api/v1/polls/{poll_id}/log",
                                   headers=issuer.person(MEMBERS[3].username))
    assert [(e["kind"], e["reason"]) for e in log.json()] == [
        ("cancelled", "Antrag zurückgezogen")]
    # The item can be voted on again.
    reopened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                         json={"method": "open"},
                                         headers=issuer.person("richter"))
    assert reopened.status_code == 201, reopened.text


async def test_show_of_hands_is_marked_on_poll_and_public_snapshot(meeting, issuer) -> None:
    poll_id = await _open(meeting, issuer, {"method": "open"})
    recorded = await meeting.client.post(
        f"/api/v1/polls/{poll_id}/show-of-hands",
        json={"counts": {"yes": 4, "no": 2, "abstain": 1}}, headers=issuer.person("richter"))
    assert recorded.status_code == 200, recorded.text
    result = recorded.json()["result"]
    assert recorded.json()["state"] == "closed"
    assert result["show_of_hands"] is True
    assert (result["yes"], result["no"], result["abstain"]) == (4, 2, 1)
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        snapshot = await load_public_meeting(session, demo.MEETING_ID)
    assert snapshot is not None
    public = next(i for i in snapshot.agenda if i.id == ITEM.id).result
    assert public.poll_id == poll_id
    assert public.show_of_hands
    assert public.yes == 4
    log = await meeting.client.get(f"/api/v1/polls/{poll_id}/log",
                                   headers=issuer.person("richter"))
    assert log.json()[0]["data"]["counts"] == {"yes": 4, "no": 2, "abstain": 1}


async def test_election_runoff_then_lot_with_commitment_and_seed(meeting, issuer) -> None:
    candidates = [{"id": "c-meier", "name": "Meier"}, {"id": "c-kaya", "name": "Kaya"},
                  {"id": "c-lang", "name": "Lang"}]
    poll_id = await _open(meeting, issuer, {"candidates": candidates}, kind="elections")
    await _cast(meeting, issuer, poll_id, ["c-meier", "c-meier", "c-kaya", "c-kaya", "c-lang",
                                           "c-meier", "c-kaya"][:6])
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    first = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert first.json()["result"]["election"]["status"] == "runoff"
    no_lot = await meeting.client.post(f"/api/v1/polls/{poll_id}/lot", headers=chair)
    assert no_lot.status_code == 409
    runoff = await meeting.client.post(f"/api/v1/polls/{poll_id}/runoff", headers=clerk)
    assert runoff.status_code == 201, runoff.text
    runoff_id = runoff.json()["id"]
    assert runoff.json()["method"] == "election"
    await _cast(meeting, issuer, runoff_id, ["c-meier", "c-kaya"])
    wrong = await meeting.client.post(f"/api/v1/polls/{runoff_id}/ballots",
                                      json={"choice": "c-lang"},
                                      headers={**issuer.person(MEMBERS[4].username), **_key()})
    assert wrong.status_code == 422  # no longer a candidate
    tied = await meeting.client.post(f"/api/v1/polls/{runoff_id}/close", headers=clerk)
    election = tied.json()["result"]["election"]
    assert election["status"] == "lot_pending"
    assert election["lot_commitment"]
    assert (await meeting.client.post(f"/api/v1/polls/{runoff_id}/lot",
                                      headers=clerk)).status_code == 403
    drawn = await meeting.client.post(f"/api/v1/polls/{runoff_id}/lot", headers=chair)
    assert drawn.status_code == 200, drawn.text
    election = drawn.json()["result"]["election"]
    assert election["lot_seed"]
    assert election["lot_drawn"][0] in {"c-meier", "c-kaya"}
    log = await meeting.client.get(f"/api/v1/polls/{runoff_id}/log", headers=clerk)
    assert [e["kind"] for e in log.json()] == ["runoff_of", "lot_drawn"]
    assert log.json()[1]["data"]["commitment"] == election["lot_commitment"]


async def test_rerun_voids_the_old_poll_with_the_reason(meeting, issuer) -> None:
    poll_id = await _open(meeting, issuer, {"method": "roll_call"})
    await _cast(meeting, issuer, poll_id, ["yes", "no"])
    rerun = await meeting.client.post(f"/api/v1/polls/{poll_id}/rerun",
                                      json={"reason": "Videokonferenz ausgefallen"},
                                      headers=issuer.person("schulte"))
    assert rerun.status_code == 201, rerun.text
    new_id = rerun.json()["id"]
    assert rerun.json()["state"] == "open"
    assert rerun.json()["roll_size"] == 7
    old = await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=issuer.person("richter"))
    assert old.json()["state"] == "void"
    assert old.json()["result"]["void_reason"] == "Videokonferenz ausgefallen"
    assert old.json()["result"]["rerun_poll_id"] == new_id
    await _cast(meeting, issuer, new_id, ["yes", "yes", "no"])
    closed = await meeting.client.post(f"/api/v1/polls/{new_id}/close",
                                       headers=issuer.person("richter"))
    assert closed.json()["result"]["yes"] == 2
