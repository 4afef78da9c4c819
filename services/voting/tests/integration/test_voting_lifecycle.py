"""Cancel, re-run, show of hands, roll amendment, publish, abstain off, elections over gRPC."""

from __future__ import annotations

import uuid

import grpc
from voting_testkit import RunningVoting, cast_request, open_request, refusal

from ratsraum.voting.v1 import voting_pb2

T = 5.0


async def _cast(voting: RunningVoting, tenant: str, poll_id: str, voter: str, option: str) -> None:
    await voting.stub.CastBallot(cast_request(tenant, poll_id, voter, option), timeout=T)


async def _close(voting: RunningVoting, tenant: str, poll_id: str) -> voting_pb2.Poll:
    return await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll_id), timeout=T
    )


async def test_abstain_is_refused_when_the_poll_is_opened_without_it(
    voting: RunningVoting, tenant: str
) -> None:
    # Bavaria (Art. 48 GO): meeting opens the poll with yes and no only.
    poll = await voting.stub.OpenPoll(open_request(tenant, options=[
        voting_pb2.Option(id="yes", label="Ja"), voting_pb2.Option(id="no", label="Nein"),
    ]), timeout=T)
    code, reason, _ = await refusal(voting.stub.CastBallot(
        cast_request(tenant, poll.poll_id, "anna", "abstain"), timeout=T
    ))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CHOICE")
    await _cast(voting, tenant, poll.poll_id, "anna", "yes")
    closed = await _close(voting, tenant, poll.poll_id)
    assert [c.option_id for c in closed.result.counts] == ["yes", "no"]


async def test_cancel_needs_a_reason_and_stops_casting(voting: RunningVoting, tenant: str) -> None:
    poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    code, reason, message = await refusal(voting.stub.CancelPoll(
        voting_pb2.CancelPollRequest(tenant=tenant, poll_id=poll.poll_id, reason=" "), timeout=T
    ))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert "Begründung" in message
    cancelled = await voting.stub.CancelPoll(voting_pb2.CancelPollRequest(
        tenant=tenant, poll_id=poll.poll_id, reason="Antrag zurückgezogen", cancelled_by="chair"
    ), timeout=T)
    assert cancelled.state == voting_pb2.POLL_STATE_CANCELLED
    assert cancelled.cancel_reason == "Antrag zurückgezogen"
    code, reason, _ = await refusal(voting.stub.CastBallot(
        cast_request(tenant, poll.poll_id, "anna", "yes"), timeout=T
    ))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN")


async def test_rerun_voids_the_old_poll_and_links_the_new_one(
    voting: RunningVoting, tenant: str
) -> None:
    old = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    await _cast(voting, tenant, old.poll_id, "anna", "yes")
    new_id = str(uuid.uuid4())
    new = await voting.stub.RerunPoll(voting_pb2.RerunPollRequest(
        tenant=tenant, poll_id=old.poll_id, new_poll_id=new_id,
        reason="Verbindungsabbruch bei drei Mitgliedern", roll=["anna", "bernd"],
    ), timeout=T)
    assert (new.poll_id, new.rerun_of, new.state) == (new_id, old.poll_id,
                                                      voting_pb2.POLL_STATE_OPEN)
    assert (new.roll_size, new.ballots_cast, new.title) == (2, 0, old.title)
    void = await voting.stub.GetPoll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=old.poll_id), timeout=T
    )
    assert void.state == voting_pb2.POLL_STATE_VOID
    assert (void.void_reason, void.rerun_poll_id) == (
        "Verbindungsabbruch bei drei Mitgliedern", new_id
    )
    _code, reason, _ = await refusal(voting.stub.CastBallot(
        cast_request(tenant, old.poll_id, "bernd", "no"), timeout=T
    ))
    assert reason == "POLL_NOT_OPEN"
    await _cast(voting, tenant, new_id, "bernd", "no")


async def test_show_of_hands_closes_with_the_clerks_counts_marked_as_such(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    await _cast(voting, tenant, poll.poll_id, "anna", "no")  # before the devices failed
    counts = [voting_pb2.OptionCount(option_id="yes", count=3),
              voting_pb2.OptionCount(option_id="no", count=1)]
    too_many = [voting_pb2.OptionCount(option_id="yes", count=6)]
    _code, reason, _ = await refusal(voting.stub.RecordShowOfHands(
        voting_pb2.RecordShowOfHandsRequest(tenant=tenant, poll_id=poll.poll_id,
                                            counts=too_many), timeout=T))
    assert reason == "INVALID_REQUEST"
    closed = await voting.stub.RecordShowOfHands(voting_pb2.RecordShowOfHandsRequest(
        tenant=tenant, poll_id=poll.poll_id, counts=counts, recorded_by="clerk"
    ), timeout=T)
    assert closed.state == voting_pb2.POLL_STATE_CLOSED
    assert closed.result.show_of_hands
    assert {c.option_id: c.count for c in closed.result.counts} == {
        "yes": 3, "no": 1, "abstain": 0
    }
    assert closed.result.ballots_cast == 4
    assert closed.result.outcome == voting_pb2.OUTCOME_ACCEPTED
    again = await voting.stub.GetPoll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert again.result.show_of_hands


async def test_amend_roll_admits_a_late_member_with_a_reason(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    _code, reason, _ = await refusal(voting.stub.CastBallot(
        cast_request(tenant, poll.poll_id, "fritz", "yes"), timeout=T
    ))
    assert reason == "NOT_ON_ROLL"
    amended = await voting.stub.AmendRoll(voting_pb2.AmendRollRequest(
        tenant=tenant, poll_id=poll.poll_id, voter_id="fritz", reason="verspätet eingetroffen",
    ), timeout=T)
    assert amended.roll_size == 6
    await _cast(voting, tenant, poll.poll_id, "fritz", "yes")
    closed = await _close(voting, tenant, poll.poll_id)
    assert closed.result.roll_size == 6


async def test_publish_after_close_carries_the_signed_head(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await voting.stub.OpenPoll(open_request(tenant), timeout=T)
    request = voting_pb2.PublishPollRequest(tenant=tenant, poll_id=poll.poll_id)
    _code, reason, _ = await refusal(voting.stub.PublishPoll(request, timeout=T))
    assert reason == "WRONG_STATE"
    closed = await _close(voting, tenant, poll.poll_id)
    published = await voting.stub.PublishPoll(request, timeout=T)
    assert published.state == voting_pb2.POLL_STATE_PUBLISHED
    key = await voting.stub.GetAuditKey(voting_pb2.GetAuditKeyRequest(), timeout=T)
    assert closed.result.audit_public_key == key.public_key
    assert published.result.audit_head != closed.result.audit_head  # `published` was chained


async def test_election_runoff_then_tie_then_verifiable_lot(
    voting: RunningVoting, tenant: str
) -> None:
    candidates = [voting_pb2.Option(id=c, label=c.title()) for c in ("anna", "bernd", "cem")]
    first = await voting.stub.OpenPoll(open_request(
        tenant, kind=voting_pb2.POLL_KIND_ELECTION, majority_rule=voting_pb2.MAJORITY_RULE_ELECTION,
        options=candidates, roll=["v1", "v2", "v3", "v4", "v5"],
    ), timeout=T)
    for voter, choice in [("v1", "anna"), ("v2", "anna"), ("v3", "bernd"), ("v4", "cem")]:
        await _cast(voting, tenant, first.poll_id, voter, choice)
    round_one = await _close(voting, tenant, first.poll_id)
    election = round_one.result.election
    assert election.status == voting_pb2.ELECTION_STATUS_LOT_PENDING  # bernd/cem tied for 2nd
    assert list(election.lot_among) == ["bernd", "cem"]
    assert election.lot_commitment
    assert not election.lot_seed  # the seed stays secret until the draw
    drawn = await voting.stub.DrawLot(
        voting_pb2.DrawLotRequest(tenant=tenant, poll_id=first.poll_id), timeout=T
    )
    result = drawn.result.election
    assert result.status == voting_pb2.ELECTION_STATUS_RUNOFF
    assert result.lot_commitment == election.lot_commitment
    assert result.runoff[0] == "anna"
    assert result.runoff[1] in ("bernd", "cem")

    runoff_id = str(uuid.uuid4())
    runoff = await voting.stub.OpenRunoff(voting_pb2.OpenRunoffRequest(
        tenant=tenant, poll_id=first.poll_id, new_poll_id=runoff_id
    ), timeout=T)
    assert runoff.runoff_of == first.poll_id
    assert [o.id for o in runoff.options] == sorted(result.runoff)
    await _cast(voting, tenant, runoff_id, "v1", "anna")
    await _cast(voting, tenant, runoff_id, "v2", result.runoff[1])
    tied = await _close(voting, tenant, runoff_id)
    assert tied.result.election.status == voting_pb2.ELECTION_STATUS_LOT_PENDING
    final = await voting.stub.DrawLot(
        voting_pb2.DrawLotRequest(tenant=tenant, poll_id=runoff_id), timeout=T
    )
    assert final.result.election.status == voting_pb2.ELECTION_STATUS_ELECTED
    assert final.result.election.elected in ("anna", result.runoff[1])
    assert final.result.outcome == voting_pb2.OUTCOME_ACCEPTED
