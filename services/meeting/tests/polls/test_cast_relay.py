"""The cast relay: concurrent casts share CastBallots calls, each keeps its own answer."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import grpc
import pytest

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common.grpcutil import channel, start_server
from ratsraum_meeting.polls.voting_client import VotingClient, VotingRefused, VotingUnavailable

TENANT = "soest"
ROLL = [f"member-{i}" for i in range(20)]


async def _client_and_poll(fake_voting: Any) -> tuple[VotingClient, str]:
    _fake, port = fake_voting
    client = VotingClient(channel(f"127.0.0.1:{port}"), deadline_seconds=2.0,
                          backoff_seconds=0.01)
    poll = await client.open_poll(voting_pb2.OpenPollRequest(
        tenant=TENANT, poll_id=str(uuid.uuid4()), roll=ROLL,
        options=[voting_pb2.Option(id=o, label=o) for o in ("yes", "no", "abstain")]))
    return client, poll.poll_id


def _cast(
    poll_id: str, voter: str, choice: str = "yes", key: str = ""
) -> voting_pb2.CastBallotRequest:
    return voting_pb2.CastBallotRequest(tenant=TENANT, poll_id=poll_id, voter_id=voter,
                                        option_id=choice, idempotency_key=key or uuid.uuid4().hex)


async def _outcome(call: object) -> object:
    try:
        return await call  # type: ignore[misc]
    except VotingRefused as exc:
        return exc


async def test_casts_sent_together_share_one_call_and_keep_their_own_answers(
    fake_voting: Any
) -> None:
    fake, _port = fake_voting
    client, poll_id = await _client_and_poll(fake_voting)
    before = fake.cast_attempts
    casts = [_cast(poll_id, voter) for voter in ROLL[:15]]
    casts += [_cast(poll_id, "stranger"), _cast(poll_id, ROLL[15], "maybe"),
              _cast(str(uuid.uuid4()), ROLL[16])]
    answers = await asyncio.gather(*(_outcome(client.cast_ballot(c)) for c in casts))
    assert fake.cast_attempts - before == 1  # one CastBallots call carried all 18
    accepted = answers[:15]
    assert all(isinstance(a, voting_pb2.CastBallotResponse) and not a.replayed
               for a in accepted)
    assert len({a.ballot_id for a in accepted}) == 15  # type: ignore[union-attr]
    refused = answers[15:]
    assert [(r.code, r.reason) for r in refused] == [  # type: ignore[union-attr]
        (grpc.StatusCode.PERMISSION_DENIED, "NOT_ON_ROLL"),
        (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CHOICE"),
        (grpc.StatusCode.NOT_FOUND, "POLL_NOT_FOUND"),
    ]
    assert fake.polls[(TENANT, poll_id)].poll.ballots_cast == 15


async def test_a_lone_cast_goes_at_once_and_later_casts_follow_in_new_calls(
    fake_voting: Any
) -> None:
    fake, _port = fake_voting
    client, poll_id = await _client_and_poll(fake_voting)
    before = fake.cast_attempts
    first = await asyncio.wait_for(client.cast_ballot(_cast(poll_id, ROLL[0], key="key-0000")),
                                   timeout=1.0)
    again = await client.cast_ballot(_cast(poll_id, ROLL[0], key="key-0000"))
    assert (first.replayed, again.replayed, again.ballot_id) == (False, True, first.ballot_id)
    assert fake.cast_attempts - before == 2


async def test_a_steady_stream_of_casts_rides_in_few_calls(fake_voting: Any) -> None:
    # Casts trickling in one by one (as members tap at different moments) would each get a
    # call of their own, since the fake answers at once; the linger gathers them.
    fake, _port = fake_voting
    client, poll_id = await _client_and_poll(fake_voting)
    before = fake.cast_attempts
    casts = []
    for voter in ROLL:
        casts.append(asyncio.create_task(client.cast_ballot(_cast(poll_id, voter))))
        await asyncio.sleep(0.002)
    answers = await asyncio.gather(*casts)
    assert [a.replayed for a in answers] == [False] * len(ROLL)
    assert fake.cast_attempts - before <= len(ROLL) // 3
    assert fake.polls[(TENANT, poll_id)].poll.ballots_cast == len(ROLL)


async def test_only_a_cast_right_behind_a_call_waits_for_company(fake_voting: Any) -> None:
    client, poll_id = await _client_and_poll(fake_voting)
    client.relay.linger = 30.0  # long enough that waiting is unmistakable
    lone = await asyncio.wait_for(client.cast_ballot(_cast(poll_id, ROLL[0])), timeout=5.0)
    assert not lone.replayed  # a quiet relay sends at once
    with pytest.raises(TimeoutError):  # a call just went out: this one gathers company
        await asyncio.wait_for(client.cast_ballot(_cast(poll_id, ROLL[1])), timeout=0.5)


async def test_a_failed_call_is_retried_as_a_whole_and_counts_each_ballot_once(
    fake_voting: Any
) -> None:
    fake, _port = fake_voting
    client, poll_id = await _client_and_poll(fake_voting)
    fake.unavailable_calls = 2  # the batch's first two attempts fail; the third goes through
    answers = await asyncio.gather(*(client.cast_ballot(_cast(poll_id, v)) for v in ROLL[:5]))
    assert [a.replayed for a in answers] == [False] * 5
    assert fake.polls[(TENANT, poll_id)].poll.ballots_cast == 5

    fake.unavailable_calls = 100
    before = fake.cast_attempts
    with pytest.raises(VotingUnavailable):
        await client.cast_ballot(_cast(poll_id, ROLL[6]))
    assert fake.cast_attempts - before == client.attempts  # bounded like a unary cast
    fake.unavailable_calls = 0


async def test_a_voting_without_cast_ballots_is_served_one_call_per_cast(
    fake_voting: Any
) -> None:
    class OlderVoting(type(fake_voting[0])):  # type: ignore[misc]
        """The fake as a voting release before CastBallots existed."""

        async def CastBallots(self, request, context):  # type: ignore[no-untyped-def]
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not implemented!")

    older = OlderVoting()
    server, port = await start_server(
        host="127.0.0.1", port=0, service_names=["ratsraum.voting.v1.VotingService"],
        register=lambda s: voting_pb2_grpc.add_VotingServiceServicer_to_server(older, s))
    try:
        client, poll_id = await _client_and_poll((older, port))
        answers = await asyncio.gather(*(_outcome(client.cast_ballot(_cast(poll_id, v)))
                                         for v in [*ROLL[:3], "stranger"]))
        assert [getattr(a, "replayed", None) for a in answers[:3]] == [False] * 3
        assert isinstance(answers[3], VotingRefused)
        assert answers[3].reason == "NOT_ON_ROLL"
        assert not client.relay.batches_supported
        assert older.polls[(TENANT, poll_id)].poll.ballots_cast == 3
        later = await client.cast_ballot(_cast(poll_id, ROLL[4]))  # straight to CastBallot
        assert later.ballots_cast == 4
    finally:
        await server.stop(grace=None)
