"""Secret ballots over gRPC: guardians on their own ports, open, cast, close, verified record."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from ratsraum_ballot_client import Election, encrypt_choice, find_confirmation_code
from sqlalchemy import select
from voting_testkit import refusal, running_voting

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc, voting_pb2
from ratsraum_common.grpcutil import channel, error_reason
from ratsraum_voting.config import Settings
from ratsraum_voting.events import OutboxMessage
from ratsraum_voting.guardian.server import start_guardian_server
from ratsraum_voting.guardian.store import GuardianStore
from ratsraum_voting.secret.ceremony import DEFAULT_GUARDIANS
from ratsraum_voting.secret.models import SecretRecordFile
from ratsraum_voting.secret.verify import main as verify_main

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
ROLL = ["anna", "bernd", "cem", "dora", "emil", "frieda"]
CHOICES = {"anna": "yes", "bernd": "yes", "cem": "no", "dora": "yes", "emil": "abstain"}
T = 30.0


@pytest.fixture
async def guardians(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[list[tuple[str, grpc.aio.Server, int]]]:
    """Three guardians (chair, two tellers) on free ports, each with its own key folder."""
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")  # ElectionGuard's small test group
    started = []
    for order, gid in enumerate(DEFAULT_GUARDIANS, start=1):
        store = GuardianStore(folder=tmp_path / "keys" / gid, guardian_id=gid,
                              sequence_order=order)
        server, port = await start_guardian_server(store=store, host="127.0.0.1", port=0)
        started.append((gid, server, port))
    yield started
    for _gid, server, _port in started:
        await server.stop(0)


async def test_secret_poll_open_cast_close_and_record_verifies(
    guardians: list[tuple[str, grpc.aio.Server, int]], database_url: str, nats_url: str,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    addresses = [{"id": gid, "address": f"127.0.0.1:{port}"} for gid, _s, port in guardians]
    settings = Settings(database_url=database_url, nats_url=nats_url, grpc_port=0,
                        data_dir=tmp_path / "voting", grpc_grace_seconds=0.5,
                        guardians=json.dumps(addresses))
    tenant, poll_id = f"town-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    async with running_voting(settings) as voting:
        client = channel(voting.target)
        stub = secret_pb2_grpc.SecretBallotServiceStub(client)
        opened = await stub.OpenSecretPoll(secret_pb2.OpenSecretPollRequest(
            tenant=tenant, poll_id=poll_id, meeting_id="m-1", title="TOP 9: Personalsache",
            options=[voting_pb2.Option(id=i, label=label) for i, label in
                     [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]],
            majority_rule=voting_pb2.MAJORITY_RULE_SIMPLE, roll=ROLL, statutory_members=11,
        ), timeout=T)
        assert opened.roll_size == 6
        assert list(opened.guardians) == list(DEFAULT_GUARDIANS)
        device = Election.from_json(manifest_json=opened.manifest_json,
                                    context_json=opened.context_json)

        def cast(voter: str, ballot_json: str) -> object:
            return stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
                tenant=tenant, poll_id=poll_id, voter_id=voter, ballot_json=ballot_json,
                idempotency_key=uuid.uuid4().hex), timeout=T)

        codes = {}
        for voter, choice in CHOICES.items():
            sent = encrypt_choice(device, choice)
            answer = await cast(voter, sent.ballot_json)
            assert answer.confirmation_code == sent.confirmation_code  # type: ignore[attr-defined]
            codes[voter] = sent
        # A retry of the same ballot counts once; a second ballot cannot change the vote.
        again = await cast("anna", codes["anna"].ballot_json)
        assert again.replayed  # type: ignore[attr-defined]
        assert again.ballots_cast == 5  # type: ignore[attr-defined]
        changed = encrypt_choice(device, "no").ballot_json
        code, reason, message = await refusal(cast("anna", changed))
        assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "WRONG_STATE")
        assert "nicht geändert" in message
        # Someone else's ballot, a tampered ballot and a voter off the roll are refused.
        assert (await refusal(cast("frieda", codes["bernd"].ballot_json)))[1] == "INVALID_CHOICE"
        forged = json.loads(codes["cem"].ballot_json)
        sel = forged["contests"][0]["ballot_selections"][0]
        sel["ciphertext"]["pad"], sel["ciphertext"]["data"] = (
            sel["ciphertext"]["data"], sel["ciphertext"]["pad"])
        code, reason, message = await refusal(cast("frieda", json.dumps(forged)))
        assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CHOICE")
        assert "Beweise" in message
        assert (await refusal(cast("zoe", codes["dora"].ballot_json)))[1] == "NOT_ON_ROLL"

        await guardians[2][1].stop(0)  # one teller is away: two of three decrypt
        result = await stub.CloseSecretPoll(secret_pb2.CloseSecretPollRequest(
            tenant=tenant, poll_id=poll_id, closed_by="chair"), timeout=T)
        assert {c.option_id: c.count for c in result.counts} == {"yes": 3, "no": 1, "abstain": 1}
        assert result.outcome == voting_pb2.OUTCOME_ACCEPTED
        assert (result.roll_size, result.ballots_cast) == (6, 5)
        assert list(result.voted) == sorted(CHOICES)
        code, reason, _ = await refusal(cast("frieda", encrypt_choice(device, "no").ballot_json))
        assert reason == "POLL_NOT_OPEN"

        async with voting.app.state.db.system_session() as session:
            events = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.tenant_id == tenant))).scalars().all()
        closed = [e for e in events if e.subject.endswith(".voting.poll.closed")]
        assert len(closed) == 1  # counts, outcome and the record's SHA-256
        assert result.record_sha256.encode() in closed[0].body

        request = secret_pb2.GetSecretRecordRequest(tenant=tenant, poll_id=poll_id)
        parts = [p async for p in stub.StreamSecretRecord(request, timeout=T)]
        # A tampered file stops the stream when it is reached, with the record's refusal.
        async with voting.app.state.db.transaction(tenant) as session:
            stored = (await session.scalars(select(SecretRecordFile).where(
                SecretRecordFile.path == "voters.json"))).one()
            stored.content = b"[]"
        with pytest.raises(grpc.aio.AioRpcError) as tampered:
            _ = [p async for p in stub.StreamSecretRecord(request, timeout=T)]
        assert error_reason(tampered.value) == "WRONG_STATE"
        await client.close()
    # The digest first, then one message per file: no message holds the whole record.
    assert parts[0].sha256 == result.record_sha256
    files = [p.file for p in parts[1:]]
    assert all(p.WhichOneof("part") == "file" for p in parts[1:])
    assert [f.path for f in files] == sorted(f.path for f in files)
    assert len([f for f in files if f.path.startswith("submitted_ballots/")]) == 5
    folder = tmp_path / "published"
    for item in files:
        (folder / item.path).parent.mkdir(parents=True, exist_ok=True)
        (folder / item.path).write_bytes(item.content)
    assert verify_main([str(folder)]) == 0
    assert result.record_sha256 in capsys.readouterr().out
    assert all(find_confirmation_code(folder, s.confirmation_code) for s in codes.values())
    assert json.loads((folder / "voters.json").read_text()) == sorted(CHOICES)


async def test_concurrent_secret_casts_count_one_ballot_per_voter(
    guardians: list[tuple[str, grpc.aio.Server, int]], database_url: str, nats_url: str,
    tmp_path: Path,
) -> None:
    addresses = [{"id": gid, "address": f"127.0.0.1:{port}"} for gid, _s, port in guardians]
    settings = Settings(database_url=database_url, nats_url=nats_url, grpc_port=0,
                        data_dir=tmp_path / "voting", grpc_grace_seconds=0.5,
                        guardians=json.dumps(addresses))
    tenant, poll_id = f"town-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    async with running_voting(settings) as voting:
        client = channel(voting.target)
        stub = secret_pb2_grpc.SecretBallotServiceStub(client)
        opened = await stub.OpenSecretPoll(secret_pb2.OpenSecretPollRequest(
            tenant=tenant, poll_id=poll_id, meeting_id="m-1", title="TOP 3",
            options=[voting_pb2.Option(id="yes", label="Ja"),
                     voting_pb2.Option(id="no", label="Nein")],
            majority_rule=voting_pb2.MAJORITY_RULE_SIMPLE, roll=["anna", "bernd", "cem"],
        ), timeout=T)
        device = Election.from_json(manifest_json=opened.manifest_json,
                                    context_json=opened.context_json)
        requests = [secret_pb2.CastSecretBallotRequest(
            tenant=tenant, poll_id=poll_id, voter_id=voter,
            ballot_json=encrypt_choice(device, choice).ballot_json)
            for voter in ("anna", "bernd", "cem") for choice in ("yes", "no", "yes", "no")]
        answers = await asyncio.gather(
            *(stub.CastSecretBallot(r, timeout=T) for r in requests), return_exceptions=True)
        accepted = [a for a in answers if not isinstance(a, Exception)]
        assert len(accepted) == 3
        refused = [a for a in answers if isinstance(a, grpc.aio.AioRpcError)]
        assert {error_reason(e) for e in refused} == {"WRONG_STATE"}
        result = await stub.CloseSecretPoll(secret_pb2.CloseSecretPollRequest(
            tenant=tenant, poll_id=poll_id), timeout=T)
        await client.close()
    assert result.ballots_cast == 3
    assert sum(c.count for c in result.counts) == 3
