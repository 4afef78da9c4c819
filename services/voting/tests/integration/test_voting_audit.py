"""The audit chain: export, `ratsraum-verify`, and tampering caught by the verifier."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from voting_testkit import RunningVoting, cast_request, open_request

from ratsraum.voting.v1 import voting_pb2
from ratsraum_voting.audit.verify import verify

T = 5.0


async def _closed_roll_call(voting: RunningVoting, tenant: str) -> str:
    poll = await voting.stub.OpenPoll(
        open_request(tenant, method=voting_pb2.VOTE_METHOD_ROLL_CALL), timeout=T
    )
    for voter, option in [("anna", "no"), ("bernd", "yes"), ("cem", "no"), ("anna", "yes")]:
        await voting.stub.CastBallot(cast_request(tenant, poll.poll_id, voter, option), timeout=T)
    await voting.stub.AmendRoll(voting_pb2.AmendRollRequest(
        tenant=tenant, poll_id=poll.poll_id, voter_id="fritz", reason="verspätet"
    ), timeout=T)
    await voting.stub.CastBallot(cast_request(tenant, poll.poll_id, "fritz", "abstain"), timeout=T)
    await voting.stub.ClosePoll(
        voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
    )
    return str(poll.poll_id)


async def _export(voting: RunningVoting, tenant: str, poll_id: str) -> dict[str, object]:
    record = await voting.stub.ExportAuditRecord(
        voting_pb2.ExportAuditRecordRequest(tenant=tenant, poll_id=poll_id), timeout=T
    )
    loaded: dict[str, object] = json.loads(record.json)
    return loaded


async def test_exported_record_verifies_with_the_cli(
    voting: RunningVoting, tenant: str, tmp_path: Path
) -> None:
    poll_id = await _closed_roll_call(voting, tenant)
    record = await _export(voting, tenant, poll_id)
    events = [e["event"] for e in record["entries"]]  # type: ignore[attr-defined]
    assert events == ["opened", "roll_amended", "ballot", "ballot", "ballot", "ballot", "ballot",
                      "closed", "result"]
    assert verify(record) == []
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    key = await voting.stub.GetAuditKey(voting_pb2.GetAuditKeyRequest(), timeout=T)
    cli = Path(sys.executable).with_name("ratsraum-verify")
    done = await asyncio.to_thread(
        subprocess.run, [cli, path, "--public-key", key.public_key], capture_output=True,
        text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: 9 Einträge")


async def test_tampered_ballot_row_is_caught(voting: RunningVoting, tenant: str,
                                             tmp_path: Path) -> None:
    poll_id = await _closed_roll_call(voting, tenant)
    async with voting.app.state.db.engine.begin() as conn:
        await conn.execute(text(
            "UPDATE ballots SET option_id = 'no' WHERE voter_id = 'bernd' AND tenant_id = :t"
        ), {"t": tenant})
    record = await _export(voting, tenant, poll_id)
    assert "stored ballots differ from the ballots in the chain" in verify(record)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    cli = Path(sys.executable).with_name("ratsraum-verify")
    done = await asyncio.to_thread(
        subprocess.run, [cli, path, "--trust-embedded-key"], capture_output=True, text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "ABWEICHUNG" in done.stdout


async def test_tampered_audit_entry_or_result_is_caught(
    voting: RunningVoting, tenant: str
) -> None:
    poll_id = await _closed_roll_call(voting, tenant)
    async with voting.app.state.db.engine.begin() as conn:
        # Rewrite a stored ballot entry of the chain as a database writer could.
        await conn.execute(text(
            "UPDATE audit_entries SET body = replace(body, '\"option_id\":\"yes\"', "
            "'\"option_id\":\"no\"') WHERE event = 'ballot' AND tenant_id = :t"
        ), {"t": tenant})
    problems = verify(await _export(voting, tenant, poll_id))
    assert any("hash does not match content" in p for p in problems)

    record = await _export(voting, tenant, poll_id)
    record["result"]["counts"][0]["count"] += 1  # type: ignore[index]
    assert any("published result" in p for p in verify(record))
    record["signed_head"]["signature"] = "00" * 64  # type: ignore[index]
    assert "signature of the head is invalid" in verify(record)
