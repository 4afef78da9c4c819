"""Two voters' different ballots with the same confirmation code both count.

ElectionGuard's test group has 16-bit codes, so in a poll two ballots share one about once
in 65,521 pairs. The fixture (tests/fixtures/code_collision) holds a fixed key ceremony
(the three guardians' key files) and two ballots, for "no" and "yes", whose codes collide.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from electionguard.guardian import GuardianRecord
from electionguard.serialize import from_raw
from ratsraum_ballot_client import Election, encrypt_choice, find_confirmation_code
from sqlalchemy import event
from voting_testkit import RunningVoting, refusal, running_voting

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc, voting_pb2
from ratsraum_common.grpcutil import channel
from ratsraum_voting.config import Settings
from ratsraum_voting.guardian.server import start_guardian_server
from ratsraum_voting.guardian.store import GuardianStore
from ratsraum_voting.rules import Rule
from ratsraum_voting.secret import service
from ratsraum_voting.secret.ceremony import DEFAULT_GUARDIANS
from ratsraum_voting.secret.verify import main as verify_secret

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "code_collision"
TENANT, POLL_ID = "town-collide", "0c0111de-0000-4000-8000-00000000c0de"
T = 30.0


@pytest.fixture
async def voting(database_url: str, nats_url: str, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningVoting]:
    """Voting with the fixture's three guardians (their key files copied) and its poll."""
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")
    servers, addresses = [], []
    for order, gid in enumerate(DEFAULT_GUARDIANS, start=1):
        shutil.copytree(FIXTURE / "guardians" / gid, tmp_path / "keys" / gid)
        store = GuardianStore(folder=tmp_path / "keys" / gid, guardian_id=gid,
                              sequence_order=order)
        server, port = await start_guardian_server(store=store, host="127.0.0.1", port=0)
        servers.append(server)
        addresses.append({"id": gid, "address": f"127.0.0.1:{port}"})
    settings = Settings(database_url=database_url, nats_url=nats_url, grpc_port=0,
                        data_dir=tmp_path / "voting", grpc_grace_seconds=0.5,
                        guardians=json.dumps(addresses))
    async with running_voting(settings) as running:
        election = Election.from_json(
            manifest_json=(FIXTURE / "manifest.json").read_text(),
            context_json=(FIXTURE / "context.json").read_text())
        records = [from_raw(GuardianRecord, r)
                   for r in json.loads((FIXTURE / "guardian_records.json").read_text())]
        spec = service.SecretSpec(
            tenant=TENANT, poll_id=POLL_ID, meeting_id="m-1", title="TOP 3",
            options=[("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")],
            rule=Rule.SIMPLE, roll=["anna", "bernd", "cem", "dora"], statutory_members=None)
        async with running.app.state.db.transaction(TENANT) as session:
            await service.insert_secret_poll(session, spec=spec, election=election,
                                             records=records)
        yield running
    for server in servers:
        await server.stop(0)


async def test_two_ballots_with_one_code_both_count_and_both_are_in_the_record(
    voting: RunningVoting, tmp_path: Path
) -> None:
    first, second = json.loads((FIXTURE / "ballots.json").read_text())
    client = channel(voting.target)
    stub = secret_pb2_grpc.SecretBallotServiceStub(client)

    def cast(voter: str, ballot_json: str) -> Any:
        return stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
            tenant=TENANT, poll_id=POLL_ID, voter_id=voter, ballot_json=ballot_json),
            timeout=T)

    anna = await cast("anna", first["ballot_json"])
    bernd = await cast("bernd", second["ballot_json"])
    assert anna.confirmation_code == bernd.confirmation_code  # the fixture's collision
    assert (anna.replayed, bernd.replayed, bernd.ballots_cast) == (False, False, 2)
    again = await cast("anna", first["ballot_json"])  # a retry: the same ballot again
    assert (again.replayed, again.ballots_cast) == (True, 2)
    code, reason, message = await refusal(cast("cem", second["ballot_json"]))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CHOICE")
    assert "bereits abgegeben" in message  # bernd's very ballot, not merely its code
    device = Election.from_json(manifest_json=(FIXTURE / "manifest.json").read_text(),
                                context_json=(FIXTURE / "context.json").read_text())
    await cast("cem", encrypt_choice(device, "yes").ballot_json)

    result = await stub.CloseSecretPoll(secret_pb2.CloseSecretPollRequest(
        tenant=TENANT, poll_id=POLL_ID), timeout=T)
    assert {c.option_id: c.count for c in result.counts} == {"yes": 2, "no": 1, "abstain": 0}
    found = await stub.FindConfirmationCode(secret_pb2.FindConfirmationCodeRequest(
        tenant=TENANT, poll_id=POLL_ID, confirmation_code=anna.confirmation_code), timeout=T)
    assert found.found
    parts = [p async for p in stub.StreamSecretRecord(secret_pb2.GetSecretRecordRequest(
        tenant=TENANT, poll_id=POLL_ID), timeout=T)]
    audit = await voting.stub.ExportAuditRecord(voting_pb2.ExportAuditRecordRequest(
        tenant=TENANT, poll_id=POLL_ID), timeout=T)
    key = await voting.stub.GetAuditKey(voting_pb2.GetAuditKeyRequest(), timeout=T)
    await client.close()
    folder = tmp_path / "published"
    for item in (p.file for p in parts[1:]):
        (folder / item.path).parent.mkdir(parents=True, exist_ok=True)
        (folder / item.path).write_bytes(item.content)
    colliding = [p for p in (folder / "submitted_ballots").glob("*.json")
                 if json.loads(p.read_text())["code"] == anna.confirmation_code]
    assert len(colliding) == 2  # one file per ballot, named by its hash
    assert find_confirmation_code(folder, anna.confirmation_code)
    (tmp_path / "audit.json").write_text(audit.json, encoding="utf-8")
    assert verify_secret([str(folder), "--audit-record", str(tmp_path / "audit.json"),
                          "--public-key", key.public_key]) == 0


async def test_finding_a_code_reads_only_its_ballots_not_the_whole_record(
    voting: RunningVoting,
) -> None:
    first, second = json.loads((FIXTURE / "ballots.json").read_text())
    device = Election.from_json(manifest_json=(FIXTURE / "manifest.json").read_text(),
                                context_json=(FIXTURE / "context.json").read_text())
    client = channel(voting.target)
    stub = secret_pb2_grpc.SecretBallotServiceStub(client)
    ballots = {"anna": first["ballot_json"], "bernd": second["ballot_json"],
               "cem": encrypt_choice(device, "yes").ballot_json,
               "dora": encrypt_choice(device, "abstain").ballot_json}
    codes = {}
    for voter, ballot_json in ballots.items():
        codes[voter] = (await stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
            tenant=TENANT, poll_id=POLL_ID, voter_id=voter, ballot_json=ballot_json),
            timeout=T)).confirmation_code
    await stub.CloseSecretPoll(secret_pb2.CloseSecretPollRequest(
        tenant=TENANT, poll_id=POLL_ID), timeout=T)
    record_reads: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "secret_record_files" in statement:
            record_reads.append(" ".join(statement.split()))

    engine = voting.app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        found = {voter: (await stub.FindConfirmationCode(
            secret_pb2.FindConfirmationCodeRequest(
                tenant=TENANT, poll_id=POLL_ID, confirmation_code=code.lower()),
            timeout=T)).found for voter, code in codes.items()}
        missing = await stub.FindConfirmationCode(secret_pb2.FindConfirmationCodeRequest(
            tenant=TENANT, poll_id=POLL_ID, confirmation_code="00" * 32), timeout=T)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
        await client.close()
    assert found == dict.fromkeys(ballots, True)
    assert not missing.found
    # Every read of the record names the one file it wants (SHA256SUMS or a ballot's file).
    assert record_reads
    assert all("secret_record_files.path =" in statement for statement in record_reads)
