"""Group commit: casts written together keep every rule of a single cast (SQLite, PostgreSQL).

`cast_batch.apply` is driven directly so that the casts are guaranteed to share one batch;
the batcher test sends a burst through the real gRPC service.
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from voting_testkit import RunningVoting, cast_request, open_request, refusal

from ratsraum.voting.v1 import voting_pb2
from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.polls import cast_batch
from ratsraum_voting.polls.batcher import CastBatcher
from ratsraum_voting.polls.schemas import CastCommand, CastOutcome

T = 10.0


def _command(tenant: str, poll_id: str, voter: str, option: str, key: str) -> CastCommand:
    return CastCommand.create(tenant=tenant, poll_id=poll_id, voter_id=voter,
                              option_id=option, idempotency_key=key)


async def _apply(voting: RunningVoting, commands: list[CastCommand]) -> list[Any]:
    async with voting.app.state.db.engine.begin() as conn:
        return await cast_batch.apply(conn, commands)


async def _close(voting: RunningVoting, tenant: str, poll_id: str) -> voting_pb2.Poll:
    return await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll_id), timeout=T)


async def test_one_batch_answers_each_cast_on_its_own(voting: RunningVoting, tenant: str) -> None:
    poll = await voting.stub.OpenPoll(
        open_request(tenant, method=voting_pb2.VOTE_METHOD_ROLL_CALL), timeout=T)
    p = poll.poll_id
    answers = await _apply(voting, [
        _command(tenant, p, "anna", "yes", "k-anna"),
        _command(tenant, p, "zora", "yes", "k-zora"),        # not on the roll
        _command(tenant, p, "bernd", "maybe", "k-bernd"),    # not an option
        _command("other-town", p, "cem", "yes", "k-cem"),    # another town's poll
        _command(tenant, p, "anna", "yes", "k-anna"),        # retry within the batch
        _command(tenant, p, "anna", "no", "k-anna"),         # key reused for another ballot
        _command(tenant, p, "dora", "yes", "k-dora-1"),
        _command(tenant, p, "dora", "no", "k-dora-2"),       # changed vote: the last counts
        _command(tenant, p, "emil", "abstain", "k-emil"),
    ])
    reasons = [a.reason if isinstance(a, VotingError) else None for a in answers]
    assert reasons == [None, Reason.NOT_ON_ROLL, Reason.INVALID_CHOICE, Reason.POLL_NOT_FOUND,
                       None, Reason.IDEMPOTENCY_KEY_REUSED, None, None, None]
    first, retry = answers[0], answers[4]
    assert isinstance(first, CastOutcome)
    assert isinstance(retry, CastOutcome)
    assert (first.replayed, retry.replayed, retry.ballot_id) == (False, True, first.ballot_id)
    assert all(a.ballots_cast == 3 for a in answers if isinstance(a, CastOutcome))
    assert answers[6].accepted_at < answers[7].accepted_at

    # The same keys in a later batch answer as the first time.
    again = await _apply(voting, [_command(tenant, p, "dora", "yes", "k-dora-1")])
    assert isinstance(again[0], CastOutcome)
    assert again[0].replayed
    assert again[0].ballot_id == answers[6].ballot_id

    closed = await _close(voting, tenant, p)
    assert {(v.voter_id, v.option_id) for v in closed.result.named_votes} == {
        ("anna", "yes"), ("dora", "no"), ("emil", "abstain")}
    assert closed.result.ballots_cast == 3


async def test_batch_after_close_refuses_new_casts_and_replays_old(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    p = poll.poll_id
    [accepted] = await _apply(voting, [_command(tenant, p, "anna", "yes", "k-1")])
    await _close(voting, tenant, p)
    late, retry = await _apply(voting, [_command(tenant, p, "bernd", "no", "k-2"),
                                        _command(tenant, p, "anna", "yes", "k-1")])
    assert isinstance(late, VotingError)
    assert late.reason == Reason.POLL_NOT_OPEN
    assert isinstance(retry, CastOutcome)
    assert retry.replayed
    assert retry.ballot_id == accepted.ballot_id


async def test_burst_through_grpc_refusals_do_not_fail_the_others(
    voting: RunningVoting, tenant: str
) -> None:
    roll = [f"m{i}" for i in range(60)]
    poll = await voting.stub.OpenPoll(open_request(tenant, roll=roll, statutory_members=60),
                                      timeout=T)
    good = [cast_request(tenant, poll.poll_id, v, "yes") for v in roll]
    bad = [cast_request(tenant, poll.poll_id, f"guest-{i}", "yes") for i in range(10)]
    calls = [voting.stub.CastBallot(r, timeout=30) for r in good]
    refused = [refusal(voting.stub.CastBallot(r, timeout=30)) for r in bad]
    answers = await asyncio.gather(*calls, *refused)
    assert {a.ballots_cast for a in answers[:60]} <= set(range(1, 61))
    assert all(code == grpc.StatusCode.PERMISSION_DENIED and reason == "NOT_ON_ROLL"
               for code, reason, _ in answers[60:])
    closed = await _close(voting, tenant, poll.poll_id)
    assert closed.result.ballots_cast == 60


async def test_batcher_resolves_every_caller_with_its_own_answer(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    batcher = CastBatcher(voting.app.state.db, max_batch=3)
    voters = ["anna", "bernd", "cem", "dora", "emil", "nobody"]
    results = await asyncio.gather(
        *(batcher.cast(_command(tenant, poll.poll_id, v, "no", f"key-{v}")) for v in voters),
        return_exceptions=True)
    await batcher.stop()
    assert [type(r).__name__ for r in results] == ["CastOutcome"] * 5 + ["VotingError"]
    assert isinstance(results[-1], VotingError)
    assert results[-1].reason == Reason.NOT_ON_ROLL
    assert len({r.ballot_id for r in results[:5] if isinstance(r, CastOutcome)}) == 5
