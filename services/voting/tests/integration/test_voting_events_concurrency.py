"""Events on JetStream and ballots under concurrent load, against real NATS and databases."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
from voting_testkit import RunningVoting, cast_request, open_request

from ratsraum.voting.v1 import events_pb2, voting_pb2
from ratsraum_common.events import Envelope

T = 10.0


async def _next_event(sub: Any, subject_suffix: str) -> Any:
    """The next message on the subscription, which must be of the expected event."""
    msg = await sub.next_msg(timeout=T)
    assert msg.subject.endswith(subject_suffix), msg.subject
    return msg


async def test_poll_events_arrive_as_cloudevents_once(
    voting: RunningVoting, tenant: str, nats_url: str
) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe(f"ratsraum.{tenant}.voting.>", ordered_consumer=True)
        poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
        await voting.stub.CastBallot(cast_request(tenant, poll.poll_id, "anna", "yes"), timeout=T)
        close = voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id)
        await voting.stub.ClosePoll(close, timeout=T)

        opened = await _next_event(sub, ".voting.poll.opened")
        assert Envelope.from_json(opened.data).payload(events_pb2.PollOpened).poll.poll_id == (
            poll.poll_id
        )
        msg = await _next_event(sub, ".voting.poll.closed")
        assert msg.subject == f"ratsraum.{tenant}.voting.poll.closed"
        body = json.loads(msg.data)
        assert body["specversion"] == "1.0"
        assert body["type"] == "de.ratsraum.voting.poll.closed"
        assert body["source"] == "/ratsraum/voting"
        assert body["tenant"] == tenant
        assert msg.headers["Nats-Msg-Id"] == body["id"]
        closed = Envelope.from_json(msg.data).payload(events_pb2.PollClosed).poll
        assert closed.state == voting_pb2.POLL_STATE_CLOSED
        assert closed.result.outcome == voting_pb2.OUTCOME_ACCEPTED
        assert closed.result.explanation.startswith("Angenommen: 1 Ja-Stimme")

        # A repeated close publishes nothing new: the next event is the next poll's opening.
        await voting.stub.ClosePoll(close, timeout=T)
        await voting.stub.OpenPoll(open_request(tenant), timeout=T)
        await _next_event(sub, ".voting.poll.opened")
    finally:
        await nc.close()


async def test_fifty_concurrent_casts_count_one_ballot_per_voter(
    voting: RunningVoting, tenant: str
) -> None:
    voters = [f"member-{i}" for i in range(10)]
    options = ["yes", "no", "abstain", "yes", "no"]
    poll = await voting.stub.OpenPoll(
        open_request(tenant, roll=voters, statutory_members=10,
                     method=voting_pb2.VOTE_METHOD_ROLL_CALL),
        timeout=T,
    )
    casts = [
        voting.stub.CastBallot(cast_request(tenant, poll.poll_id, voter, option), timeout=30)
        for option in options
        for voter in voters
    ]
    answers = await asyncio.gather(*casts)
    assert len(answers) == 50
    assert all(not a.replayed and 1 <= a.ballots_cast <= 10 for a in answers)

    during = await voting.stub.GetPoll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert during.ballots_cast == 10
    assert sorted(during.voted) == sorted(voters)

    closed = await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert sum(c.count for c in closed.result.counts) == 10
    assert sorted(v.voter_id for v in closed.result.named_votes) == sorted(voters)


async def test_concurrent_retries_of_one_request_count_once(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    request = cast_request(tenant, poll.poll_id, "anna", "no", key="same-key")
    answers = await asyncio.gather(
        *(voting.stub.CastBallot(request, timeout=30) for _ in range(8))
    )
    assert sum(not a.replayed for a in answers) == 1
    assert len({a.ballot_id for a in answers}) == 1
    metrics = voting.app.state.metrics.render().decode()
    assert 'voting_ballots_cast_total{method="open"} 1.0' in metrics
