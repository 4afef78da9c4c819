"""Only voting decides a poll's result: meeting writes no minutes from a forged poll.closed.

A poll.closed event is a hint that a close answer was lost. Meeting asks voting over gRPC and
records voting's answer; an event for a poll voting does not report closed, or one whose
subject names another town than its envelope, is refused into the dead letters.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from ratsraum.voting.v1 import events_pb2, voting_pb2
from ratsraum_common import demo
from ratsraum_common.events import make_envelope
from ratsraum_common.nats import connect
from ratsraum_meeting.base import DeadLetter
from ratsraum_meeting.events import VOTING_CONSUMER

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[2]  # Ö 3, public and votable


async def _open_poll(meeting, issuer) -> str:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    response = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                         json={"method": "roll_call"}, headers=clerk)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _forged_result(poll_id: str) -> voting_pb2.Poll:
    """A closed poll with a result nobody voted for."""
    poll = voting_pb2.Poll(tenant=demo.TENANT, poll_id=poll_id,
                           state=voting_pb2.POLL_STATE_CLOSED)
    poll.closed_at.GetCurrentTime()
    poll.result.CopyFrom(voting_pb2.Result(
        counts=[voting_pb2.OptionCount(option_id=o, label=o, count=n)
                for o, n in (("yes", 9), ("no", 0), ("abstain", 0))],
        outcome=voting_pb2.OUTCOME_ACCEPTED, explanation="Angenommen.", ballots_cast=9,
        roll_size=9))
    return poll


async def _publish(nats_url: str, poll: voting_pb2.Poll, *, subject_tenant: str) -> str:
    subject, envelope = make_envelope(
        tenant=demo.TENANT, service="voting", event="poll.closed",
        payload=events_pb2.PollClosed(poll=poll), traceparent=None)
    subject = subject.replace(f"ratsraum.{demo.TENANT}.", f"ratsraum.{subject_tenant}.", 1)
    nc = await connect(nats_url, name="forger")
    try:
        await nc.jetstream().publish(subject, envelope.to_json(),
                                     headers={"Nats-Msg-Id": envelope.id})
    finally:
        await nc.close()
    return envelope.id


async def _dead_letter(meeting, event_id: str) -> DeadLetter:
    db = meeting.app.state.db
    for _ in range(200):
        async with db.system_session() as session:
            found = await session.scalar(select(DeadLetter).where(
                DeadLetter.consumer == VOTING_CONSUMER, DeadLetter.event_id == event_id))
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the forged event was not refused")


async def _poll(meeting, issuer, poll_id: str) -> dict:
    return (await meeting.client.get(f"/api/v1/polls/{poll_id}",
                                     headers=issuer.person("richter"))).json()


async def test_a_poll_closed_for_a_poll_voting_has_open_is_refused(
    meeting, issuer, nats_url
) -> None:
    poll_id = await _open_poll(meeting, issuer)
    event_id = await _publish(nats_url, _forged_result(poll_id), subject_tenant=demo.TENANT)
    refused = await _dead_letter(meeting, event_id)
    assert "not closed" in refused.reason
    poll = await _poll(meeting, issuer, poll_id)
    assert poll["state"] == "open"
    assert poll["result"] in (None, {})
    metrics = (await meeting.client.get("/metrics")).text
    assert ('meeting_events_dead_lettered_total{consumer="meeting-voting",kind="refused"} 1.0'
            in metrics)


async def test_the_minutes_get_votings_result_not_the_events(
    meeting, issuer, fake_voting, nats_url
) -> None:
    fake, _port = fake_voting
    poll_id = await _open_poll(meeting, issuer)
    fake.close(demo.TENANT, poll_id)  # voting closed it: nobody voted, so it is rejected
    await _publish(nats_url, _forged_result(poll_id), subject_tenant=demo.TENANT)
    for _ in range(200):
        poll = await _poll(meeting, issuer, poll_id)
        if poll["state"] == "closed":
            break
        await asyncio.sleep(0.05)
    assert poll["state"] == "closed"
    assert poll["result"]["outcome"] == "rejected"
    assert poll["result"]["yes"] == 0


async def test_an_envelope_for_another_town_than_its_subject_is_refused(
    meeting, issuer, fake_voting, nats_url
) -> None:
    fake, _port = fake_voting
    poll_id = await _open_poll(meeting, issuer)
    closed = fake.close(demo.TENANT, poll_id)
    # Published on town "hamm"'s subject (whoever may publish for hamm), naming soest inside.
    event_id = await _publish(nats_url, closed, subject_tenant=f"hamm{uuid.uuid4().hex[:6]}")
    refused = await _dead_letter(meeting, event_id)
    assert "envelope tenant" in refused.reason
    assert (await _poll(meeting, issuer, poll_id))["state"] == "open"
