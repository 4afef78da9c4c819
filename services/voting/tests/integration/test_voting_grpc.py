"""VotingService over real gRPC, on SQLite and PostgreSQL, as meeting uses it."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import httpx
import pytest
from voting_testkit import RunningVoting, cast_request, open_request, refusal

from ratsraum.voting.v1 import voting_pb2

T = 5.0  # deadline of every call, as meeting sets one


async def _open(voting: RunningVoting, tenant: str, **overrides: object) -> voting_pb2.Poll:
    return await voting.stub.OpenPoll(open_request(tenant, **overrides), timeout=T)


async def _cast(
    voting: RunningVoting, tenant: str, poll_id: str, voter: str, option: str, key: str = ""
) -> Any:
    return await voting.stub.CastBallot(
        cast_request(tenant, poll_id, voter, option, key), timeout=T
    )


def _counts(poll: voting_pb2.Poll) -> dict[str, int]:
    return {c.option_id: c.count for c in poll.result.counts}


async def test_open_cast_close_happy_path(voting: RunningVoting, tenant: str) -> None:
    poll = await _open(voting, tenant)
    assert poll.state == voting_pb2.POLL_STATE_OPEN
    assert [(o.id, o.label) for o in poll.options] == [
        ("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")
    ]
    assert poll.roll_size == 5
    for voter, option in [("anna", "yes"), ("bernd", "yes"), ("cem", "no"), ("dora", "abstain")]:
        await _cast(voting, tenant, poll.poll_id, voter, option)

    during = await voting.stub.GetPoll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert during.ballots_cast == 4
    assert sorted(during.voted) == ["anna", "bernd", "cem", "dora"]
    assert not during.HasField("result")  # no choices visible while the vote runs

    closed = await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id,
                                    closed_by="clerk"), timeout=T
    )
    assert closed.state == voting_pb2.POLL_STATE_CLOSED
    assert closed.HasField("closed_at")
    assert _counts(closed) == {"yes": 2, "no": 1, "abstain": 1}
    assert closed.result.outcome == voting_pb2.OUTCOME_ACCEPTED
    assert closed.result.explanation == (
        "Angenommen: 2 Ja-Stimmen gegen 1 Nein-Stimme bei 1 Enthaltung "
        "(einfache Mehrheit; Enthaltungen zählen nicht)."
    )
    assert (closed.result.roll_size, closed.result.ballots_cast) == (5, 4)
    assert list(closed.result.named_votes) == []  # an open vote records no names

    metrics = voting.app.state.metrics.render().decode()
    assert 'voting_ballots_cast_total{method="open"} 4.0' in metrics
    assert 'voting_polls_closed_total{outcome="accepted"} 1.0' in metrics


async def test_roll_call_result_names_each_vote_and_tie_rejects(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await _open(voting, tenant, method=voting_pb2.VOTE_METHOD_ROLL_CALL)
    await _cast(voting, tenant, poll.poll_id, "anna", "yes")
    await _cast(voting, tenant, poll.poll_id, "bernd", "no")
    closed = await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert closed.result.outcome == voting_pb2.OUTCOME_REJECTED
    assert "Stimmengleichheit (1:1)" in closed.result.explanation
    assert {(v.voter_id, v.option_id) for v in closed.result.named_votes} == {
        ("anna", "yes"), ("bernd", "no")
    }


async def test_retry_with_same_key_counts_once(voting: RunningVoting, tenant: str) -> None:
    poll = await _open(voting, tenant)
    first = await _cast(voting, tenant, poll.poll_id, "anna", "yes", key="k-1")
    again = await _cast(voting, tenant, poll.poll_id, "anna", "yes", key="k-1")
    assert not first.replayed
    assert again.replayed
    assert again.ballot_id == first.ballot_id
    assert again.ballots_cast == 1

    code, reason, _ = await refusal(
        voting.stub.CastBallot(cast_request(tenant, poll.poll_id, "anna", "no", "k-1"),
                               timeout=T)
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "IDEMPOTENCY_KEY_REUSED")

    closed = await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert _counts(closed) == {"yes": 1, "no": 0, "abstain": 0}
    # A retry that arrives after the close still gets its original answer.
    late = await _cast(voting, tenant, poll.poll_id, "anna", "yes", key="k-1")
    assert late.replayed
    metrics = voting.app.state.metrics.render().decode()
    assert 'voting_ballots_cast_total{method="open"} 1.0' in metrics


async def test_changed_vote_counts_last(voting: RunningVoting, tenant: str) -> None:
    poll = await _open(voting, tenant)
    await _cast(voting, tenant, poll.poll_id, "anna", "yes")
    second = await _cast(voting, tenant, poll.poll_id, "anna", "no")
    assert second.ballots_cast == 1
    closed = await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert _counts(closed) == {"yes": 0, "no": 1, "abstain": 0}
    assert closed.result.ballots_cast == 1


async def test_voter_not_on_roll_is_refused_and_nothing_changes(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await _open(voting, tenant)
    code, reason, message = await refusal(
        voting.stub.CastBallot(cast_request(tenant, poll.poll_id, "mallory", "yes"),
                               timeout=T)
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_ON_ROLL")
    assert "nicht stimmberechtigt" in message
    after = await voting.stub.GetPoll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert (after.ballots_cast, list(after.voted)) == (0, [])


async def test_cast_after_close_is_refused_and_close_is_idempotent(
    voting: RunningVoting, tenant: str
) -> None:
    poll = await _open(voting, tenant)
    await _cast(voting, tenant, poll.poll_id, "anna", "yes")
    close = voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id)
    first = await voting.stub.ClosePoll(close, timeout=T)
    code, reason, _ = await refusal(
        voting.stub.CastBallot(cast_request(tenant, poll.poll_id, "bernd", "no"),
                               timeout=T)
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN")
    second = await voting.stub.ClosePoll(close, timeout=T)
    assert second == first
    metrics = voting.app.state.metrics.render().decode()
    assert 'voting_polls_closed_total{outcome="accepted"} 1.0' in metrics


async def test_other_towns_poll_is_not_found(voting: RunningVoting, tenant: str) -> None:
    poll = await _open(voting, tenant)
    other = "other-town"
    calls = [
        voting.stub.GetPoll(voting_pb2.GetPollRequest(tenant=other, poll_id=poll.poll_id),
                            timeout=T),
        voting.stub.CastBallot(cast_request(other, poll.poll_id, "anna", "yes"), timeout=T),
        voting.stub.ClosePoll(voting_pb2.ClosePollRequest(tenant=other, poll_id=poll.poll_id),
                              timeout=T),
        voting.stub.GetPoll(voting_pb2.GetPollRequest(tenant=tenant,
                                                      poll_id=str(uuid.uuid4())), timeout=T),
    ]
    for call in calls:
        code, reason, _ = await refusal(call)
        assert (code, reason) == (grpc.StatusCode.NOT_FOUND, "POLL_NOT_FOUND")
    # The other town may use the same id for its own poll; ours stays untouched.
    theirs = await voting.stub.OpenPoll(open_request(other, poll_id=poll.poll_id), timeout=T)
    assert theirs.tenant == other
    ours = await voting.stub.GetPoll(
        voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    assert ours.state == voting_pb2.POLL_STATE_OPEN


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tenant": "Soest!"}, "tenant"),
        ({"poll_id": "top-7"}, "poll_id"),
        ({"roll": []}, "roll"),
        ({"roll": ["anna", "anna"]}, "roll"),
        ({"roll": ["anna", ""]}, "roll"),
        ({"majority_rule": voting_pb2.MAJORITY_RULE_UNSPECIFIED}, "majority_rule"),
        ({"method": voting_pb2.VOTE_METHOD_UNSPECIFIED}, "method"),
        ({"statutory_members": 3}, "statutory_members"),
        ({"statutory_members": 0,
          "majority_rule": voting_pb2.MAJORITY_RULE_MAJORITY_OF_STATUTORY}, "statutory_members"),
        ({"options": [voting_pb2.Option(id="yes", label="Ja")]}, "options"),
        ({"options": [voting_pb2.Option(id="yes", label="Ja"),
                      voting_pb2.Option(id="maybe", label="Vielleicht")]}, "options"),
    ],
)
async def test_invalid_open_request_names_the_field(
    voting: RunningVoting, tenant: str, overrides: dict[str, object], field: str
) -> None:
    request = open_request(tenant, **overrides)
    code, reason, message = await refusal(voting.stub.OpenPoll(request, timeout=T))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert message.startswith(f"Feld {field}: ")
    assert len(message) > len(f"Feld {field}: ") + 10  # says what to do, not just "invalid"


async def test_refusals_of_open_and_cast(voting: RunningVoting, tenant: str) -> None:
    code, reason, message = await refusal(
        voting.stub.OpenPoll(open_request(tenant, method=voting_pb2.VOTE_METHOD_SECRET),
                             timeout=T)
    )
    assert code == grpc.StatusCode.UNIMPLEMENTED
    assert "Geheime Abstimmungen" in message

    poll = await _open(voting, tenant)
    code, reason, _ = await refusal(
        voting.stub.OpenPoll(open_request(tenant, poll_id=poll.poll_id), timeout=T)
    )
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "POLL_ALREADY_EXISTS")

    code, reason, message = await refusal(
        voting.stub.CastBallot(cast_request(tenant, poll.poll_id, "anna", "maybe"),
                               timeout=T)
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CHOICE")
    assert "yes (Ja)" in message
    code, reason, message = await refusal(
        voting.stub.CastBallot(
            voting_pb2.CastBallotRequest(tenant=tenant, poll_id=poll.poll_id,
                                         voter_id="anna", option_id="yes"), timeout=T)
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert message.startswith("Feld idempotency_key")


async def test_health_readiness_and_metrics_over_http(voting: RunningVoting, tenant: str) -> None:
    transport = httpx.ASGITransport(app=voting.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://voting") as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "nats": "ok"}
        await _open(voting, tenant)
        metrics = await http.get("/metrics")
        assert 'voting_polls_opened_total{method="open"} 1.0' in metrics.text
        assert "voting_grpc_duration_seconds_bucket" in metrics.text
        assert (await http.get("/api/v1/openapi.json")).status_code == 404
