"""FakeVoting: the voting service's gRPC API kept in memory, for meeting's tests.

Voting is faked only at its gRPC border; tests against the real voting service use the
`voting_target` fixture instead (meeting_fixtures/voting.py).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import grpc

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common.grpcutil import error_status

DOMAIN = "voting.ratsraum.de"


@dataclass
class _FakePoll:
    poll: voting_pb2.Poll
    roll: set[str]
    ballots: dict[str, str] = field(default_factory=dict)
    keys: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> voter, choice, id


class FakeVoting(voting_pb2_grpc.VotingServiceServicer):  # type: ignore[misc]
    """Keeps polls in memory; `unavailable_calls` makes the next N calls fail as UNAVAILABLE."""

    def __init__(self) -> None:
        self.polls: dict[tuple[str, str], _FakePoll] = {}
        self.unavailable_calls = 0
        self.cast_attempts = 0

    async def _refuse(self, context: grpc.aio.ServicerContext, code: grpc.StatusCode,
                      reason: str) -> None:
        await context.abort_with_status(error_status(code, reason, reason, domain=DOMAIN))

    async def _flaky(self, context: grpc.aio.ServicerContext) -> None:
        if self.unavailable_calls > 0:
            self.unavailable_calls -= 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "simulated outage")

    async def _get(self, context: grpc.aio.ServicerContext, tenant: str, poll_id: str) -> _FakePoll:
        found = self.polls.get((tenant, poll_id))
        if found is None:
            await self._refuse(context, grpc.StatusCode.NOT_FOUND, "POLL_NOT_FOUND")
            raise AssertionError("unreachable")
        return found

    async def OpenPoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        poll = voting_pb2.Poll(
            tenant=request.tenant, poll_id=request.poll_id, meeting_id=request.meeting_id,
            agenda_item_id=request.agenda_item_id, title=request.title, method=request.method,
            majority_rule=request.majority_rule, state=voting_pb2.POLL_STATE_OPEN,
            kind=request.kind,
            roll_size=len(request.roll), public=request.public, options=request.options,
        )
        self.polls[(request.tenant, request.poll_id)] = _FakePoll(poll, set(request.roll))
        return poll

    def _cast(self, request: voting_pb2.CastBallotRequest) -> Any:
        """The CastBallotResponse, or the (code, reason) the cast is refused with."""
        fake = self.polls.get((request.tenant, request.poll_id))
        if fake is None:
            return grpc.StatusCode.NOT_FOUND, "POLL_NOT_FOUND"
        if fake.poll.state != voting_pb2.POLL_STATE_OPEN:
            return grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN"
        if request.voter_id not in fake.roll:
            return grpc.StatusCode.PERMISSION_DENIED, "NOT_ON_ROLL"
        if fake.poll.options and request.option_id not in {o.id for o in fake.poll.options}:
            return grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CHOICE"
        if request.idempotency_key in fake.keys:
            voter, choice, ballot_id = fake.keys[request.idempotency_key]
            if (voter, choice) != (request.voter_id, request.option_id):
                return grpc.StatusCode.FAILED_PRECONDITION, "IDEMPOTENCY_KEY_REUSED"
            return voting_pb2.CastBallotResponse(
                ballot_id=ballot_id, replayed=True, ballots_cast=len(fake.ballots))
        ballot_id = str(uuid.uuid4())
        fake.keys[request.idempotency_key] = (request.voter_id, request.option_id, ballot_id)
        fake.ballots[request.voter_id] = request.option_id
        fake.poll.ballots_cast = len(fake.ballots)
        del fake.poll.voted[:]
        fake.poll.voted.extend(sorted(fake.ballots))
        return voting_pb2.CastBallotResponse(
            ballot_id=ballot_id, replayed=False, ballots_cast=len(fake.ballots))

    async def CastBallot(self, request, context):  # type: ignore[no-untyped-def]
        self.cast_attempts += 1
        await self._flaky(context)
        answer = self._cast(request)
        if isinstance(answer, tuple):
            await self._refuse(context, *answer)
        return answer

    async def CastBallots(self, request, context):  # type: ignore[no-untyped-def]
        self.cast_attempts += 1  # one attempt per call, as a whole call is retried
        await self._flaky(context)
        results = []
        for item in request.items:
            answer = self._cast(item.cast)
            results.append(voting_pb2.CastBallotsResult(
                refusal=voting_pb2.CastRefusal(code=answer[0].value[0], reason=answer[1],
                                               message=answer[1]))
                if isinstance(answer, tuple) else voting_pb2.CastBallotsResult(cast=answer))
        return voting_pb2.CastBallotsResponse(results=results)

    def close(self, tenant: str, poll_id: str) -> voting_pb2.Poll:
        """Tally with the simple majority (yes > no) and mark the poll closed."""
        fake = self.polls[(tenant, poll_id)]
        if fake.poll.state == voting_pb2.POLL_STATE_CLOSED:
            return fake.poll
        if fake.poll.kind == voting_pb2.POLL_KIND_ELECTION:
            return _close_election(fake.poll, fake.ballots)
        counts = {o: sum(1 for c in fake.ballots.values() if c == o)
                  for o in ("yes", "no", "abstain")}
        accepted = counts["yes"] > counts["no"]
        fake.poll.state = voting_pb2.POLL_STATE_CLOSED
        fake.poll.closed_at.GetCurrentTime()
        fake.poll.result.CopyFrom(voting_pb2.Result(
            counts=[voting_pb2.OptionCount(option_id=o, label=o, count=n)
                    for o, n in counts.items()],
            outcome=voting_pb2.OUTCOME_ACCEPTED if accepted else voting_pb2.OUTCOME_REJECTED,
            rule=fake.poll.majority_rule,
            explanation="Angenommen." if accepted else "Abgelehnt.",
            roll_size=fake.poll.roll_size, ballots_cast=len(fake.ballots),
            named_votes=[voting_pb2.NamedVote(voter_id=v, option_id=c)
                         for v, c in sorted(fake.ballots.items())]
            if fake.poll.method == voting_pb2.VOTE_METHOD_ROLL_CALL else [],
        ))
        return fake.poll

    async def ClosePoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        fake = await self._get(context, request.tenant, request.poll_id)
        if fake.poll.state == voting_pb2.POLL_STATE_CLOSED:
            await self._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN")
        return self.close(request.tenant, request.poll_id)

    async def GetPoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        return (await self._get(context, request.tenant, request.poll_id)).poll

    async def CancelPoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        return await _fake_cancel(self, context, request)

    async def RerunPoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        return await _fake_rerun(self, context, request)

    async def RecordShowOfHands(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        return await _fake_show_of_hands(self, context, request)

    async def OpenRunoff(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        return await _fake_runoff(self, context, request)

    async def DrawLot(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        return await _fake_draw_lot(self, context, request)


def _close_election(poll: voting_pb2.Poll, ballots: dict[str, str]) -> voting_pb2.Poll:
    """Absolute majority elects; a tie at the top needs a lot; otherwise a runoff of two."""
    counts = {o.id: sum(1 for c in ballots.values() if c == o.id) for o in poll.options}
    ranked = sorted(counts, key=lambda o: -counts[o])
    election = voting_pb2.ElectionResult(round=2 if poll.runoff_of else 1)
    seed = hashlib.sha256(poll.poll_id.encode()).hexdigest()
    if ranked and counts[ranked[0]] * 2 > len(ballots):
        election.status, election.elected = voting_pb2.ELECTION_STATUS_ELECTED, ranked[0]
    elif len(ranked) > 1 and counts[ranked[0]] == counts[ranked[1]]:
        election.status = voting_pb2.ELECTION_STATUS_LOT_PENDING
        election.lot_among.extend(o for o in ranked if counts[o] == counts[ranked[0]])
        election.lot_places = 1
        election.lot_commitment = hashlib.sha256(bytes.fromhex(seed)).hexdigest()
    else:
        election.status = voting_pb2.ELECTION_STATUS_RUNOFF
        election.runoff.extend(ranked[:2])
    poll.state = voting_pb2.POLL_STATE_CLOSED
    poll.closed_at.GetCurrentTime()
    poll.result.CopyFrom(voting_pb2.Result(
        counts=[voting_pb2.OptionCount(option_id=o, count=n) for o, n in counts.items()],
        rule=voting_pb2.MAJORITY_RULE_ELECTION, roll_size=poll.roll_size,
        ballots_cast=len(ballots), election=election))
    return poll


async def _fake_cancel(fv: FakeVoting, context, request):  # type: ignore[no-untyped-def]
    fake = await fv._get(context, request.tenant, request.poll_id)
    if fake.poll.state != voting_pb2.POLL_STATE_OPEN:
        await fv._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN")
    fake.poll.state, fake.poll.cancel_reason = voting_pb2.POLL_STATE_CANCELLED, request.reason
    return fake.poll


def _follow(fv: FakeVoting, old: voting_pb2.Poll, new_id: str, roll: set[str]) -> voting_pb2.Poll:
    new = voting_pb2.Poll()
    new.CopyFrom(old)
    new.poll_id, new.state, new.roll_size, new.ballots_cast = (
        new_id, voting_pb2.POLL_STATE_OPEN, len(roll), 0)
    for name in ("result", "closed_at", "cancel_reason", "void_reason", "rerun_poll_id"):
        new.ClearField(name)
    del new.voted[:]
    fv.polls[(old.tenant, new_id)] = _FakePoll(new, roll)
    return new


async def _fake_rerun(fv: FakeVoting, context, request):  # type: ignore[no-untyped-def]
    fake = await fv._get(context, request.tenant, request.poll_id)
    if (request.tenant, request.new_poll_id) in fv.polls:
        await fv._refuse(context, grpc.StatusCode.ALREADY_EXISTS, "POLL_ALREADY_EXISTS")
    if fake.poll.state not in (voting_pb2.POLL_STATE_OPEN, voting_pb2.POLL_STATE_CLOSED):
        await fv._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "WRONG_STATE")
    new = _follow(fv, fake.poll, request.new_poll_id, set(request.roll) or fake.roll)
    new.rerun_of = fake.poll.poll_id
    fake.poll.state, fake.poll.void_reason = voting_pb2.POLL_STATE_VOID, request.reason
    fake.poll.rerun_poll_id = new.poll_id
    return new


async def _fake_show_of_hands(fv: FakeVoting, context, request):  # type: ignore[no-untyped-def]
    fake = await fv._get(context, request.tenant, request.poll_id)
    if fake.poll.state != voting_pb2.POLL_STATE_OPEN:
        await fv._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN")
    counts = {c.option_id: c.count for c in request.counts}
    fake.poll.state = voting_pb2.POLL_STATE_CLOSED
    fake.poll.closed_at.GetCurrentTime()
    accepted = counts.get("yes", 0) > counts.get("no", 0)
    fake.poll.result.CopyFrom(voting_pb2.Result(
        counts=[voting_pb2.OptionCount(option_id=o, label=o, count=n) for o, n in counts.items()],
        outcome=voting_pb2.OUTCOME_ACCEPTED if accepted else voting_pb2.OUTCOME_REJECTED,
        rule=fake.poll.majority_rule, explanation="Handzeichen.", show_of_hands=True,
        roll_size=fake.poll.roll_size, ballots_cast=sum(counts.values())))
    return fake.poll


async def _fake_runoff(fv: FakeVoting, context, request):  # type: ignore[no-untyped-def]
    fake = await fv._get(context, request.tenant, request.poll_id)
    if fake.poll.result.election.status != voting_pb2.ELECTION_STATUS_RUNOFF:
        await fv._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "WRONG_STATE")
    new = _follow(fv, fake.poll, request.new_poll_id, set(request.roll) or fake.roll)
    keep = set(fake.poll.result.election.runoff)
    kept = [o for o in new.options if o.id in keep]
    del new.options[:]
    new.options.extend(kept)
    new.runoff_of = fake.poll.poll_id
    return new


async def _fake_draw_lot(fv: FakeVoting, context, request):  # type: ignore[no-untyped-def]
    fake = await fv._get(context, request.tenant, request.poll_id)
    election = fake.poll.result.election
    if election.status != voting_pb2.ELECTION_STATUS_LOT_PENDING:
        await fv._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "WRONG_STATE")
    election.lot_seed = hashlib.sha256(fake.poll.poll_id.encode()).hexdigest()
    among = sorted(election.lot_among)
    election.lot_drawn.append(among[int(election.lot_seed, 16) % len(among)])
    election.status, election.elected = voting_pb2.ELECTION_STATUS_ELECTED, election.lot_drawn[0]
    return fake.poll
