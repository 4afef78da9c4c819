"""Secret polls over gRPC beyond open/cast/close: cancel, re-run, elections with runoff and
lot, poll events, and the audit chain checked by `ratsraum-verify` (tampering included)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from ratsraum_ballot_client import Election, encrypt_choice
from sqlalchemy import select
from voting_testkit import RunningVoting, refusal, running_voting

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc, voting_pb2
from ratsraum_common.grpcutil import channel
from ratsraum_voting.audit.verify import verify
from ratsraum_voting.config import Settings
from ratsraum_voting.events import OutboxMessage
from ratsraum_voting.guardian.server import start_guardian_server
from ratsraum_voting.guardian.store import GuardianStore
from ratsraum_voting.secret.ceremony import DEFAULT_GUARDIANS

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
T = 30.0
ROLL = ["anna", "bernd", "cem", "dora"]
Secret = tuple[RunningVoting, Any, list[Any]]
MOTION = [voting_pb2.Option(id=i, label=label)
          for i, label in [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]]


@pytest.fixture
async def secret(database_url: str, nats_url: str, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Secret]:
    """Voting with three guardians on free ports: it, a SecretBallotService stub, the servers."""
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")
    servers, addresses = [], []
    for order, gid in enumerate(DEFAULT_GUARDIANS, start=1):
        store = GuardianStore(folder=tmp_path / "keys" / gid, guardian_id=gid,
                              sequence_order=order)
        server, port = await start_guardian_server(store=store, host="127.0.0.1", port=0)
        servers.append(server)
        addresses.append({"id": gid, "address": f"127.0.0.1:{port}"})
    settings = Settings(database_url=database_url, nats_url=nats_url, grpc_port=0,
                        data_dir=tmp_path / "voting", grpc_grace_seconds=0.5,
                        guardians=json.dumps(addresses))
    async with running_voting(settings) as voting:
        client = channel(voting.target)
        yield voting, secret_pb2_grpc.SecretBallotServiceStub(client), servers
        await client.close()
    for server in servers:
        await server.stop(0)


async def _open(stub: Any, tenant: str, **fields: Any) -> tuple[str, Election]:
    poll_id = str(uuid.uuid4())
    request: dict[str, Any] = {"tenant": tenant, "poll_id": poll_id, "meeting_id": "m-1",
                               "agenda_item_id": "top-9", "title": "TOP 9", "options": MOTION,
                               "majority_rule": voting_pb2.MAJORITY_RULE_SIMPLE, "roll": ROLL}
    opened = await stub.OpenSecretPoll(secret_pb2.OpenSecretPollRequest(**{**request, **fields}),
                                       timeout=T)
    assert opened.poll.method == voting_pb2.VOTE_METHOD_SECRET
    return poll_id, Election.from_json(manifest_json=opened.manifest_json,
                                       context_json=opened.context_json)


async def _cast(stub: Any, tenant: str, poll_id: str, election: Election,
                votes: dict[str, str]) -> None:
    for voter, choice in votes.items():
        await stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
            tenant=tenant, poll_id=poll_id, voter_id=voter,
            ballot_json=encrypt_choice(election, choice).ballot_json), timeout=T)


async def _audit(voting: RunningVoting, tenant: str, poll_id: str) -> dict[str, Any]:
    exported = await voting.stub.ExportAuditRecord(voting_pb2.ExportAuditRecordRequest(
        tenant=tenant, poll_id=poll_id), timeout=T)
    record: dict[str, Any] = json.loads(exported.json)
    assert record["method"] == "secret"
    return record


async def _events(voting: RunningVoting, tenant: str) -> list[str]:
    async with voting.app.state.db.system_session() as session:
        # In the outbox's own order: without ORDER BY, PostgreSQL returns rows in heap order,
        # which changes as soon as the relay marks a row published.
        rows = (await session.execute(select(OutboxMessage.subject).where(
            OutboxMessage.tenant_id == tenant).order_by(
                OutboxMessage.seq, OutboxMessage.id))).scalars().all()
    return [r.split(".voting.")[1] for r in rows]


async def test_cancel_and_rerun_are_logged_and_the_chain_verifies(
    secret: Secret, tenant: str
) -> None:
    voting, stub, _servers = secret
    poll_id, election = await _open(stub, tenant)
    await _cast(stub, tenant, poll_id, election, {"anna": "yes"})
    cancel = voting_pb2.CancelPollRequest(tenant=tenant, poll_id=poll_id, reason=" ",
                                          cancelled_by="chair")
    assert (await refusal(stub.CancelSecretPoll(cancel, timeout=T)))[1] == "INVALID_REQUEST"
    cancel.reason = "Antrag zurückgezogen"
    cancelled = await stub.CancelSecretPoll(cancel, timeout=T)
    assert (cancelled.state, cancelled.cancel_reason) == (
        voting_pb2.POLL_STATE_CANCELLED, "Antrag zurückgezogen")
    assert (await stub.CancelSecretPoll(cancel, timeout=T)).state == cancelled.state
    late = stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
        tenant=tenant, poll_id=poll_id, voter_id="bernd",
        ballot_json=encrypt_choice(election, "no").ballot_json), timeout=T)
    assert (await refusal(late))[1] == "POLL_NOT_OPEN"
    record = await _audit(voting, tenant, poll_id)
    assert [e["event"] for e in record["entries"]] == ["opened", "ballot", "cancelled"]
    assert record["entries"][0]["body"]["roll"] == sorted(ROLL)
    assert "voter_id" not in record["entries"][1]["body"]
    assert verify(record) == []

    poll_id, old = await _open(stub, tenant)
    await _cast(stub, tenant, poll_id, old, {"anna": "no", "bernd": "no"})
    new_id = str(uuid.uuid4())
    rerun = await stub.RerunSecretPoll(voting_pb2.RerunPollRequest(
        tenant=tenant, poll_id=poll_id, new_poll_id=new_id, reason="Ton ausgefallen",
        roll=ROLL[:3]), timeout=T)
    assert (rerun.poll_id, rerun.rerun_of, rerun.roll_size) == (new_id, poll_id, 3)
    void = await _audit(voting, tenant, poll_id)
    assert void["state"] == "void"
    assert void["entries"][-1]["body"]["reason"] == "Ton ausgefallen"
    assert verify(void) == []
    stale = stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
        tenant=tenant, poll_id=new_id, voter_id="cem",
        ballot_json=encrypt_choice(old, "no").ballot_json), timeout=T)
    assert (await refusal(stale))[1] == "INVALID_CHOICE"  # another election's ballot
    new = Election.from_json(
        manifest_json=(await stub.GetSecretPoll(secret_pb2.GetSecretPollRequest(
            tenant=tenant, poll_id=new_id), timeout=T)).manifest_json,
        context_json=(await stub.GetSecretPoll(secret_pb2.GetSecretPollRequest(
            tenant=tenant, poll_id=new_id), timeout=T)).context_json)
    await _cast(stub, tenant, new_id, new, {"anna": "yes", "bernd": "yes", "cem": "no"})
    closed = await stub.CloseSecretPoll(secret_pb2.CloseSecretPollRequest(
        tenant=tenant, poll_id=new_id, closed_by="clerk"), timeout=T)
    assert {c.option_id: c.count for c in closed.counts} == {"yes": 2, "no": 1, "abstain": 0}
    assert closed.poll.result.audit_head
    assert await _events(voting, tenant) == [
        "poll.opened", "poll.cancelled", "poll.opened", "poll.opened", "poll.cancelled",
        "poll.closed"]

    record = await _audit(voting, tenant, new_id)
    assert verify(record) == []
    tampered = json.loads(json.dumps(record))
    tampered["result"]["counts"][0]["count"] = 3
    assert "published result: counts differ from the result entry" in verify(tampered)
    tampered = json.loads(json.dumps(record))
    tampered["entries"][1]["body"]["ballot_hash"] = "0" * 64
    assert any("hash does not match" in p for p in verify(tampered))


async def test_secret_election_with_lot_and_runoff(
    secret: Secret, tenant: str
) -> None:
    voting, stub, _servers = secret
    candidates = [voting_pb2.Option(id=c, label=c.title()) for c in ("meier", "kaya", "weber")]
    poll_id, election = await _open(stub, tenant, options=candidates,
                                    kind=voting_pb2.POLL_KIND_ELECTION,
                                    majority_rule=voting_pb2.MAJORITY_RULE_ELECTION)
    await _cast(stub, tenant, poll_id, election,
                {"anna": "meier", "bernd": "meier", "cem": "kaya", "dora": "weber"})
    closed = await stub.CloseSecretPoll(secret_pb2.CloseSecretPollRequest(
        tenant=tenant, poll_id=poll_id), timeout=T)
    first = closed.poll.result.election
    assert first.status == voting_pb2.ELECTION_STATUS_LOT_PENDING
    assert (sorted(first.lot_among), first.lot_places) == (["kaya", "weber"], 1)
    assert len(first.lot_commitment) == 64
    assert not first.lot_seed  # revealed only by the draw
    drawn = await stub.DrawSecretLot(voting_pb2.DrawLotRequest(
        tenant=tenant, poll_id=poll_id, drawn_by="chair"), timeout=T)
    assert drawn.result.election.status == voting_pb2.ELECTION_STATUS_RUNOFF
    pair = list(drawn.result.election.runoff)
    assert pair[0] == "meier"
    assert pair[1] in {"kaya", "weber"}
    assert verify(await _audit(voting, tenant, poll_id)) == []

    runoff_id = str(uuid.uuid4())
    runoff = await stub.OpenSecretRunoff(voting_pb2.OpenRunoffRequest(
        tenant=tenant, poll_id=poll_id, new_poll_id=runoff_id), timeout=T)
    assert [o.id for o in runoff.options] == [c for c in ("meier", "kaya", "weber") if c in pair]
    assert runoff.runoff_of == poll_id
    described = await stub.GetSecretPoll(secret_pb2.GetSecretPollRequest(
        tenant=tenant, poll_id=runoff_id), timeout=T)
    device = Election.from_json(manifest_json=described.manifest_json,
                                context_json=described.context_json)
    await _cast(stub, tenant, runoff_id, device,
                {"anna": pair[0], "bernd": pair[1], "cem": pair[0], "dora": pair[1]})
    tied = await stub.CloseSecretPoll(secret_pb2.CloseSecretPollRequest(
        tenant=tenant, poll_id=runoff_id), timeout=T)
    assert tied.poll.result.election.status == voting_pb2.ELECTION_STATUS_LOT_PENDING
    assert tied.poll.result.election.round == 2
    elected = await stub.DrawSecretLot(voting_pb2.DrawLotRequest(
        tenant=tenant, poll_id=runoff_id), timeout=T)
    assert elected.result.election.elected in pair
    record = await _audit(voting, tenant, runoff_id)
    assert verify(record) == []
    forged = json.loads(json.dumps(record))
    forged["result"]["election"]["lot_drawn"] = [
        p for p in pair if p != elected.result.election.elected]
    assert "the lot does not follow from its committed seed" in verify(forged)
    code, reason, _ = await refusal(stub.DrawSecretLot(voting_pb2.DrawLotRequest(
        tenant=tenant, poll_id=runoff_id), timeout=T))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "WRONG_STATE")


async def test_a_close_without_guardian_quorum_publishes_nothing_and_can_be_withdrawn(
    secret: Secret, tenant: str
) -> None:
    voting, stub, servers = secret
    poll_id, election = await _open(stub, tenant)
    await _cast(stub, tenant, poll_id, election, {"anna": "yes", "bernd": "no", "cem": "no"})
    for server in servers[1:]:  # both tellers away: one guardian cannot decrypt
        await server.stop(0)
    close = secret_pb2.CloseSecretPollRequest(tenant=tenant, poll_id=poll_id)
    code, reason, message = await refusal(stub.CloseSecretPoll(close, timeout=T))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "WRONG_STATE")
    assert "2 Guardians nötig, erreichbar sind 1" in message
    late = stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
        tenant=tenant, poll_id=poll_id, voter_id="dora",
        ballot_json=encrypt_choice(election, "no").ballot_json), timeout=T)
    assert (await refusal(late))[1] == "POLL_NOT_OPEN"  # closing: no more ballots
    cancelled = await stub.CancelSecretPoll(voting_pb2.CancelPollRequest(
        tenant=tenant, poll_id=poll_id, reason="Guardians nicht erreichbar"), timeout=T)
    assert cancelled.state == voting_pb2.POLL_STATE_CANCELLED
    assert "poll.closed" not in await _events(voting, tenant)
    assert verify(await _audit(voting, tenant, poll_id)) == []


async def test_a_secret_poll_for_fewer_members_than_the_minimum_is_not_opened(
    secret: Secret, tenant: str
) -> None:
    _voting, stub, _servers = secret
    code, reason, message = await refusal(stub.OpenSecretPoll(secret_pb2.OpenSecretPollRequest(
        tenant=tenant, poll_id=str(uuid.uuid4()), meeting_id="m-1", title="TOP 2",
        options=MOTION, majority_rule=voting_pb2.MAJORITY_RULE_SIMPLE,
        roll=["anna", "bernd"]), timeout=T))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert "mindestens 3 Stimmberechtigte" in message
