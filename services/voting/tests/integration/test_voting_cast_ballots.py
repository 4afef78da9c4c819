"""CastBallots: many casts in one call, each answered as CastBallot would answer it alone."""

from __future__ import annotations

import uuid

import grpc
from voting_testkit import RunningVoting, cast_request, open_request, refusal

from ratsraum.voting.v1 import voting_pb2

T = 5.0


def _items(*casts: voting_pb2.CastBallotRequest) -> voting_pb2.CastBallotsRequest:
    return voting_pb2.CastBallotsRequest(
        items=[voting_pb2.CastBallotsItem(cast=c) for c in casts])


async def test_a_mixed_batch_answers_every_cast_on_its_own(
    voting: RunningVoting, tenant: str
) -> None:
    poll = (await voting.stub.OpenPoll(open_request(tenant), timeout=T)).poll_id
    closed = (await voting.stub.OpenPoll(open_request(tenant), timeout=T)).poll_id
    await voting.stub.ClosePoll(voting_pb2.ClosePollRequest(tenant=tenant, poll_id=closed),
                                timeout=T)
    earlier = await voting.stub.CastBallot(cast_request(tenant, poll, "bernd", "yes", "key-b"),
                                           timeout=T)
    other_town = (await voting.stub.OpenPoll(open_request("elsewhere"), timeout=T)).poll_id
    casts = [
        cast_request(tenant, poll, "anna", "yes", "key-a"),        # accepted
        cast_request(tenant, poll, "zoe", "yes"),                  # not on the roll
        cast_request(tenant, closed, "cem", "no"),                 # poll closed
        cast_request(tenant, poll, "cem", "maybe"),                # option not offered
        cast_request(tenant, poll, "bernd", "yes", "key-b"),       # retry: replayed
        cast_request(tenant, poll, "bernd", "no", "key-b"),        # key reused, other choice
        cast_request(tenant, other_town, "dora", "no"),            # another town's poll
        cast_request("Not A Town!", poll, "dora", "no"),           # malformed tenant
        cast_request(tenant, poll, "dora", "no", "k" * 200),       # key too long
        cast_request(tenant, poll, "anna", "yes", "key-a"),        # twin in the same batch
        cast_request(tenant, poll, "emil", "abstain", "key-e"),    # accepted
    ]
    answer = await voting.stub.CastBallots(_items(*casts), timeout=T)
    results = list(answer.results)
    assert len(results) == len(casts)

    first, emil = results[0].cast, results[10].cast
    assert (first.replayed, emil.replayed) == (False, False)
    assert first.ballot_id
    assert emil.ballot_id
    assert first.ballot_id != emil.ballot_id
    assert first.HasField("accepted_at")
    assert results[4].cast.ballot_id == earlier.ballot_id
    assert results[4].cast.replayed
    assert results[9].cast.ballot_id == first.ballot_id
    assert results[9].cast.replayed
    assert emil.ballots_cast == 3  # bernd, anna, emil

    refused = {i: r.refusal for i, r in enumerate(results) if r.WhichOneof("result") == "refusal"}
    assert {i: r.reason for i, r in refused.items()} == {
        1: "NOT_ON_ROLL", 2: "POLL_NOT_OPEN", 3: "INVALID_CHOICE",
        5: "IDEMPOTENCY_KEY_REUSED", 6: "POLL_NOT_FOUND", 7: "INVALID_REQUEST",
        8: "INVALID_REQUEST",
    }
    # Each refusal carries exactly what the unary call's error status carries.
    for i, item in refused.items():
        code, reason, message = await refusal(voting.stub.CastBallot(casts[i], timeout=T))
        assert (item.code, item.reason, item.message) == (code.value[0], reason, message)
    assert "tenant" in refused[7].message
    assert "idempotency_key" in refused[8].message

    tally = await voting.stub.ClosePoll(voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll),
                                        timeout=T)
    assert {c.option_id: c.count for c in tally.result.counts} == {
        "yes": 2, "no": 0, "abstain": 1}
    metrics = voting.app.state.metrics.render().decode()
    assert 'voting_ballots_cast_total{method="open"} 3.0' in metrics  # replays not counted
    assert 'voting_grpc_requests_total{code="OK",method="CastBallots"} 1.0' in metrics


async def test_a_voters_later_cast_in_a_batch_is_the_one_that_counts(
    voting: RunningVoting, tenant: str
) -> None:
    poll = (await voting.stub.OpenPoll(open_request(tenant), timeout=T)).poll_id
    answer = await voting.stub.CastBallots(_items(
        cast_request(tenant, poll, "anna", "no"), cast_request(tenant, poll, "anna", "yes"),
    ), timeout=T)
    assert [r.cast.ballots_cast for r in answer.results] == [1, 1]
    tally = await voting.stub.ClosePoll(voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll),
                                        timeout=T)
    assert {c.option_id: c.count for c in tally.result.counts}["yes"] == 1


async def test_an_empty_batch_is_answered_and_an_oversized_one_refused(
    voting: RunningVoting, tenant: str
) -> None:
    empty = await voting.stub.CastBallots(voting_pb2.CastBallotsRequest(), timeout=T)
    assert list(empty.results) == []
    poll = str(uuid.uuid4())
    too_many = _items(*(cast_request(tenant, poll, f"v{i}", "yes") for i in range(501)))
    code, reason, message = await refusal(voting.stub.CastBallots(too_many, timeout=T))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert "500" in message
    assert "501" in message
