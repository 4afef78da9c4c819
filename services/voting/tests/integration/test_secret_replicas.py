"""Two voting replicas with one audit key file and one database; a poll closed by the first is
served by the second; voter marks and ballots keep no common order; pinned verification."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ratsraum_ballot_client import Election, encrypt_choice
from sqlalchemy import text
from voting_testkit import RunningVoting, refusal, running_voting

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc, voting_pb2
from ratsraum_common.grpcutil import channel
from ratsraum_voting.config import Settings
from ratsraum_voting.guardian.server import start_guardian_server
from ratsraum_voting.guardian.store import GuardianStore
from ratsraum_voting.secret.ceremony import DEFAULT_GUARDIANS
from ratsraum_voting.secret.verify import main as verify_secret

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
ROLL = ["anna", "bernd", "cem", "dora"]
T = 30.0


def _raw(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw).hex()


@pytest.fixture
async def replica_settings(
    database_url: str, nats_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Settings, Settings, str]]:
    """Settings of two replicas (own data folders, one key file, one database), the key,
    and three guardians pinned to that key."""
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")
    key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "secret" / "audit-key.pem"  # as a Kubernetes Secret is mounted
    key_file.parent.mkdir()
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    servers, addresses = [], []
    for order, gid in enumerate(DEFAULT_GUARDIANS, start=1):
        store = GuardianStore(folder=tmp_path / "keys" / gid, guardian_id=gid,
                              sequence_order=order, voting_public_key=_raw(key))
        server, port = await start_guardian_server(store=store, host="127.0.0.1", port=0)
        servers.append(server)
        addresses.append({"id": gid, "address": f"127.0.0.1:{port}"})

    def replica(name: str) -> Settings:
        return Settings(database_url=database_url, nats_url=nats_url, grpc_port=0,
                        data_dir=tmp_path / name, grpc_grace_seconds=0.5,
                        guardians=json.dumps(addresses), audit_key_file=str(key_file))

    yield replica("replica-a"), replica("replica-b"), _raw(key)
    for server in servers:
        await server.stop(0)


async def _marks_and_ballots_share_no_order(voting: RunningVoting, database_url: str) -> None:
    async with voting.app.state.db.engine.connect() as conn:
        if database_url.startswith("sqlite"):
            with pytest.raises(Exception, match="rowid"):  # WITHOUT ROWID: no insertion order
                await conn.execute(text("SELECT rowid FROM secret_ballots"))
        else:  # every live roll row carries the last cast's transaction id
            ids = (await conn.execute(text(
                "SELECT DISTINCT xmin::text FROM secret_roll"))).scalars().all()
            assert len(ids) == 1


async def test_second_replica_serves_the_record_the_first_closed_and_signs_alike(
    replica_settings: tuple[Settings, Settings, str], database_url: str, tmp_path: Path,
) -> None:
    first, second, public_key = replica_settings
    tenant, poll_id = f"town-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    async with running_voting(first) as voting:
        client = channel(voting.target)
        stub = secret_pb2_grpc.SecretBallotServiceStub(client)
        opened = await stub.OpenSecretPoll(secret_pb2.OpenSecretPollRequest(
            tenant=tenant, poll_id=poll_id, meeting_id="m-1", title="TOP 4",
            options=[voting_pb2.Option(id="yes", label="Ja"),
                     voting_pb2.Option(id="no", label="Nein")],
            majority_rule=voting_pb2.MAJORITY_RULE_SIMPLE, roll=ROLL), timeout=T)
        device = Election.from_json(manifest_json=opened.manifest_json,
                                    context_json=opened.context_json)

        def cast(voter: str, choice: str) -> Any:
            return stub.CastSecretBallot(secret_pb2.CastSecretBallotRequest(
                tenant=tenant, poll_id=poll_id, voter_id=voter,
                ballot_json=encrypt_choice(device, choice).ballot_json), timeout=T)

        codes = [(await cast("anna", "yes")).confirmation_code,
                 (await cast("bernd", "no")).confirmation_code]
        close = secret_pb2.CloseSecretPollRequest(tenant=tenant, poll_id=poll_id)
        code, reason, message = await refusal(stub.CloseSecretPoll(close, timeout=T))
        assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "WRONG_STATE")
        assert message.startswith("Zu wenige Stimmzettel für ein geheimes Ergebnis: 2 abgegeben")
        codes.append((await cast("cem", "yes")).confirmation_code)  # still open: more vote
        await _marks_and_ballots_share_no_order(voting, database_url)
        result = await stub.CloseSecretPoll(close, timeout=T)
        assert {c.option_id: c.count for c in result.counts} == {"yes": 2, "no": 1}
        key_a = await voting.stub.GetAuditKey(voting_pb2.GetAuditKeyRequest(), timeout=T)
        await client.close()

    async with running_voting(second) as voting:  # another data folder, the same database
        client = channel(voting.target)
        stub = secret_pb2_grpc.SecretBallotServiceStub(client)
        parts = [p async for p in stub.StreamSecretRecord(secret_pb2.GetSecretRecordRequest(
            tenant=tenant, poll_id=poll_id), timeout=T)]
        found = [await stub.FindConfirmationCode(secret_pb2.FindConfirmationCodeRequest(
            tenant=tenant, poll_id=poll_id, confirmation_code=c), timeout=T) for c in codes]
        key_b = await voting.stub.GetAuditKey(voting_pb2.GetAuditKeyRequest(), timeout=T)
        audit = await voting.stub.ExportAuditRecord(voting_pb2.ExportAuditRecordRequest(
            tenant=tenant, poll_id=poll_id), timeout=T)
        await client.close()
    assert key_a.public_key == key_b.public_key == public_key
    assert parts[0].sha256 == result.record_sha256
    assert all(f.found for f in found)
    folder = tmp_path / "published"
    for item in (p.file for p in parts[1:]):
        (folder / item.path).parent.mkdir(parents=True, exist_ok=True)
        (folder / item.path).write_bytes(item.content)
    audit_file = tmp_path / "audit.json"
    audit_file.write_text(audit.json, encoding="utf-8")
    assert verify_secret([str(folder), "--audit-record", str(audit_file),
                          "--public-key", public_key]) == 0
    assert verify_secret([str(folder), "--audit-record", str(audit_file),
                          "--public-key", _raw(Ed25519PrivateKey.generate())]) == 1

    cli = Path(sys.executable).with_name("ratsraum-verify")

    async def verify(*flags: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            subprocess.run, [cli, audit_file, "--secret-record", folder, *flags],
            capture_output=True, text=True, check=False)

    assert (await verify("--public-key", public_key)).returncode == 0
    other = await verify("--public-key", _raw(Ed25519PrivateKey.generate()))
    assert other.returncode == 1
    assert "signed with another key than the pinned one" in other.stdout
    unpinned = await verify()  # the key inside the record is not trusted by default
    assert unpinned.returncode == 2
    assert "--public-key" in unpinned.stderr
