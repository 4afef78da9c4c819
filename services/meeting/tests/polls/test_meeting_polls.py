"""Votes through meeting: opening, casting with retries, closing, and the event path."""

from __future__ import annotations

import asyncio
import uuid

from ratsraum.voting.v1 import events_pb2
from ratsraum_common import demo
from ratsraum_common.events import make_envelope
from ratsraum_common.nats import connect

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[2]  # Ö 3, public and votable
POLLS = f"{BASE}/agenda-items/{ITEM.id}/polls"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _open_poll(meeting, issuer, *, present: int = 6, method: str = "roll_call") -> str:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=present)
    response = await meeting.client.post(POLLS, json={"method": method}, headers=clerk)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_vote_is_refused_when_the_body_is_not_quorate(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=5)
    refused = await meeting.client.post(POLLS, json={"method": "open"}, headers=clerk)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "nicht beschlussfähig" in detail
    assert "5 von 11" in detail
    assert "mindestens 6" in detail


async def test_vote_needs_a_running_meeting_and_a_votable_item(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    not_running = await meeting.client.post(POLLS, json={"method": "open"}, headers=clerk)
    assert not_running.status_code == 409
    await meeting.open_and_attend(clerk, present=6)
    not_votable = demo.AGENDA[0].id
    refused = await meeting.client.post(f"{BASE}/agenda-items/{not_votable}/polls",
                                        json={"method": "open"}, headers=clerk)
    assert refused.status_code == 409
    assert "Ö 1" in refused.json()["detail"]
    bad_rule = await meeting.client.post(POLLS, json={"method": "open", "majority_rule": "x"},
                                         headers=clerk)
    assert bad_rule.status_code == 422


async def test_a_roll_call_vote_from_open_to_result(meeting, issuer, fake_voting) -> None:
    poll_id = await _open_poll(meeting, issuer)
    clerk = issuer.person("richter")
    second = await meeting.client.post(POLLS, json={"method": "open"}, headers=clerk)
    assert second.status_code == 409
    voter = issuer.person(MEMBERS[1].username)
    key = _key()
    first = await meeting.client.post(f"/api/v1/polls/{poll_id}/ballots",
                                      json={"choice": "yes"}, headers={**voter, **key})
    assert first.status_code == 201
    assert first.json()["ballots_cast"] == 1
    retry = await meeting.client.post(f"/api/v1/polls/{poll_id}/ballots",
                                      json={"choice": "yes"}, headers={**voter, **key})
    assert retry.status_code == 200
    assert retry.json() == {**first.json(), "replayed": True}
    status = (await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=voter)).json()
    assert (status["has_voted"], status["ballots_cast"], status["roll_size"]) == (True, 1, 6)
    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.status_code == 200
    result = closed.json()["result"]
    assert (result["outcome"], result["yes"], result["no"]) == ("accepted", 1, 0)
    assert result["named_votes"] == [
        {"person_id": MEMBERS[1].subject, "name": MEMBERS[1].name, "choice": "yes"}]
    again = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert again.json()["result"] == result
    agenda = (await meeting.client.get(BASE, headers=voter)).json()["agenda"]
    decided = next(i for i in agenda if i["id"] == ITEM.id)
    assert (decided["status"], decided["poll_id"]) == ("decided", poll_id)


async def test_casting_is_refused_with_clear_reasons(meeting, issuer) -> None:
    poll_id = await _open_poll(meeting, issuer)
    url = f"/api/v1/polls/{poll_id}/ballots"
    absent = issuer.person(MEMBERS[10].username)
    not_on_roll = await meeting.client.post(url, json={"choice": "no"},
                                            headers={**absent, **_key()})
    assert not_on_roll.status_code == 403
    assert "nicht auf der Liste der Stimmberechtigten" in not_on_roll.json()["detail"]
    voter = issuer.person(MEMBERS[0].username)
    no_key = await meeting.client.post(url, json={"choice": "no"}, headers=voter)
    assert no_key.status_code == 400
    assert "Idempotency-Key" in no_key.json()["detail"]
    short_key = await meeting.client.post(url, json={"choice": "no"},
                                          headers={**voter, "Idempotency-Key": "abc"})
    assert short_key.status_code == 400
    bad_choice = await meeting.client.post(url, json={"choice": "maybe"},
                                           headers={**voter, **_key()})
    assert bad_choice.status_code == 422
    clerk_only = await meeting.client.post(url, json={"choice": "no"},
                                           headers={**issuer.person("richter"), **_key()})
    assert clerk_only.status_code == 403
    elsewhere = {"Authorization": "Bearer " + issuer.token(MEMBERS[0].subject, ["member"],
                                                            tenant="hamm")}
    other_town = await meeting.client.post(url, json={"choice": "no"},
                                           headers={**elsewhere, **_key()})
    assert other_town.status_code == 404
    key = _key()
    await meeting.client.post(url, json={"choice": "no"}, headers={**voter, **key})
    reused = await meeting.client.post(url, json={"choice": "yes"}, headers={**voter, **key})
    assert reused.status_code == 409


async def test_cast_survives_a_short_outage_and_reports_a_long_one(
    meeting, issuer, fake_voting
) -> None:
    fake, _port = fake_voting
    poll_id = await _open_poll(meeting, issuer)
    voter = issuer.person(MEMBERS[0].username)
    url = f"/api/v1/polls/{poll_id}/ballots"
    fake.unavailable_calls = 2
    survived = await meeting.client.post(url, json={"choice": "yes"},
                                         headers={**voter, **_key()})
    assert survived.status_code == 201
    assert survived.json()["ballots_cast"] == 1
    fake.unavailable_calls = 100
    attempts_before = fake.cast_attempts
    down = await meeting.client.post(url, json={"choice": "no"},
                                     headers={**issuer.person(MEMBERS[1].username), **_key()})
    assert down.status_code == 503
    assert "nichts gezählt" in down.json()["detail"]
    assert 1 < fake.cast_attempts - attempts_before <= 5  # retried, but bounded


async def test_result_arrives_through_the_poll_closed_event(
    meeting, issuer, fake_voting, nats_url
) -> None:
    fake, _port = fake_voting
    poll_id = await _open_poll(meeting, issuer, method="open")
    closed = fake.close(demo.TENANT, poll_id)  # voting closed it; meeting never got the answer
    subject, envelope = make_envelope(
        tenant=demo.TENANT, service="voting", event="poll.closed",
        payload=events_pb2.PollClosed(poll=closed), traceparent=None)
    nc = await connect(nats_url, name="test-voting")
    try:
        await nc.jetstream().publish(subject, envelope.to_json(),
                                     headers={"Nats-Msg-Id": envelope.id})
    finally:
        await nc.close()
    url = f"/api/v1/polls/{poll_id}"
    for _ in range(100):
        poll = (await meeting.client.get(url, headers=issuer.person("richter"))).json()
        if poll["state"] == "closed":
            break
        await asyncio.sleep(0.05)
    assert poll["state"] == "closed"
    assert poll["result"]["outcome"] == "rejected"  # nobody voted: a tie rejects
    close = await meeting.client.post(f"{url}/close", headers=issuer.person("richter"))
    assert close.json()["result"] == poll["result"]
