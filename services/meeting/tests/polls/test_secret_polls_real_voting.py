"""Secret votes through meeting, with the real voting service and three guardian processes.

Members encrypt on their side with ratsraum-ballot-client; meeting relays the ciphertext.
ElectionGuard's small test group (PRIME_OPTION=TestOnly) keeps the crypto fast.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ratsraum_ballot_client import Election, encrypt_choice, find_confirmation_code
from sqlalchemy import text

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.grpcutil import channel

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


@pytest.fixture
async def secret_voting(request: pytest.FixtureRequest, database_url: str, nats_url: str,
                        tmp_path: Path, guardians: str) -> AsyncIterator[str]:
    """The real voting service with the guardians, its own database of the same kind."""
    from ratsraum_voting.config import Settings as VotingSettings
    from ratsraum_voting.main import build_app as build_voting_app

    if database_url.startswith("sqlite"):
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'voting.sqlite3'}"
    else:
        db_url = request.getfixturevalue("postgres_cluster").create_database()
    settings = VotingSettings(database_url=db_url, nats_url=nats_url, grpc_port=0,
                              data_dir=tmp_path / "voting", guardians=guardians)
    app = build_voting_app(settings)
    async with app.router.lifespan_context(app):
        yield f"127.0.0.1:{app.state.grpc_port}"


async def _open_secret(meeting, clerk: dict[str, str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "secret"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


async def _device(meeting, issuer, poll_id: str, username: str) -> Election:  # type: ignore[no-untyped-def]
    described = await meeting.client.get(f"/api/v1/polls/{poll_id}/secret",
                                         headers=issuer.person(username))
    assert described.status_code == 200, described.text
    body = described.json()
    return Election.from_json(manifest_json=body["manifest_json"],
                              context_json=body["context_json"])


async def _cast(meeting, issuer, poll_id: str, username: str, ballot_json: str):  # type: ignore[no-untyped-def]
    return await meeting.client.post(f"/api/v1/polls/{poll_id}/secret-ballots",
                                     json={"ballot_json": ballot_json},
                                     headers=issuer.person(username))


async def _audit_record(target: str, poll_id: str) -> dict[str, object]:
    client = channel(target)
    try:
        exported = await voting_pb2_grpc.VotingServiceStub(client).ExportAuditRecord(
            voting_pb2.ExportAuditRecordRequest(tenant=demo.TENANT, poll_id=poll_id),
            timeout=10)
    finally:
        await client.close()
    return dict(json.loads(exported.json))


async def test_secret_vote_end_to_end_through_meeting(  # type: ignore[no-untyped-def]
    start_meeting, secret_voting, issuer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    from ratsraum_voting.audit.verify import main as verify_audit
    from ratsraum_voting.secret.verify import main as verify_secret

    meeting = await start_meeting(secret_voting)
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=7)  # quorate: 7 of 11
    poll = await _open_secret(meeting, clerk)
    poll_id = str(poll["id"])
    assert (poll["method"], poll["roll_size"]) == ("secret", 7)

    choices = dict(zip([p.username for p in MEMBERS[:4]], ["yes", "yes", "no", "yes"],
                       strict=True))
    sent = {}
    for username, choice in choices.items():
        sent[username] = encrypt_choice(await _device(meeting, issuer, poll_id, username),
                                        choice)
        cast = await _cast(meeting, issuer, poll_id, username, sent[username].ballot_json)
        assert cast.status_code == 201, cast.text
        assert cast.json()["confirmation_code"] == sent[username].confirmation_code
    first = MEMBERS[0].username
    # The same ballot again (a retry) counts once; a second, different one is refused.
    again = await _cast(meeting, issuer, poll_id, first, sent[first].ballot_json)
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    device = await _device(meeting, issuer, poll_id, first)
    changed = await _cast(meeting, issuer, poll_id, first, encrypt_choice(device, "no").ballot_json)
    assert changed.status_code == 409, changed.text
    # A tampered ballot (ciphertext halves swapped: its proofs fail) is refused and not counted.
    fifth = MEMBERS[4].username
    forged = json.loads(encrypt_choice(device, "no").ballot_json)
    selection = forged["contests"][0]["ballot_selections"][0]["ciphertext"]
    selection["pad"], selection["data"] = selection["data"], selection["pad"]
    refused = await _cast(meeting, issuer, poll_id, fifth, json.dumps(forged))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    # A member not present when the vote opened is not on the roll.
    outsider = await _cast(meeting, issuer, poll_id, MEMBERS[8].username,
                           encrypt_choice(device, "yes").ballot_json)
    assert outsider.status_code == 403, outsider.text
    status = (await meeting.client.get(f"/api/v1/polls/{poll_id}",
                                       headers=issuer.person(fifth))).json()
    assert status["ballots_cast"] == 4
    assert status["has_voted"] is False

    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    assert (result["yes"], result["no"], result["outcome"]) == (3, 1, "accepted")
    assert result["ballots_cast"] == 4
    digest = result["record_sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    agenda = (await meeting.client.get(f"{BASE}/agenda", headers=clerk)).json()
    assert any(i["id"] == ITEM.id and i["status"] == "decided" for i in agenda["items"])

    code = sent[first].confirmation_code
    lookup = await meeting.client.get(f"/api/v1/polls/{poll_id}/secret-record/codes/{code}",
                                      headers=issuer.person(first))
    assert lookup.json() == {"confirmation_code": code, "found": True, "record_sha256": digest}
    missing = await meeting.client.get(
        f"/api/v1/polls/{poll_id}/secret-record/codes/{'0' * 64}", headers=clerk)
    assert missing.json()["found"] is False

    archive = await meeting.client.get(f"/api/v1/polls/{poll_id}/secret-record", headers=clerk)
    assert archive.headers["x-record-sha256"] == digest
    folder = tmp_path / "published"
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(folder)
    assert verify_secret([str(folder)]) == 0
    assert digest in capsys.readouterr().out
    assert all(find_confirmation_code(folder, s.confirmation_code) for s in sent.values())
    assert json.loads((folder / "voters.json").read_text()) == sorted(
        p.subject for p in MEMBERS[:4])

    # The audit chain of the poll: opened with the roll, the ballots, closed, the result.
    audit = await _audit_record(secret_voting, poll_id)
    audit_file = tmp_path / "audit.json"
    audit_file.write_text(json.dumps(audit))
    assert verify_audit([str(audit_file), "--secret-record", str(folder),
                         "--trust-embedded-key"]) == 0
    events = [e["event"] for e in audit["entries"]]  # type: ignore[union-attr]
    assert events == ["opened", "ballot", "ballot", "ballot", "ballot", "closed", "result"]

    # Meeting keeps no trace of the ballots or their codes.
    async with meeting.app.state.db.system_session() as session:
        rows = (await session.execute(text("SELECT result FROM polls"))).scalars().all()
        logged = (await session.execute(text("SELECT data FROM poll_log"))).scalars().all()
    stored = json.dumps([str(r) for r in rows] + [str(d) for d in logged])
    assert not any(s.confirmation_code in stored for s in sent.values())


async def test_secret_vote_cancel_rerun_and_secret_election(  # type: ignore[no-untyped-def]
    start_meeting, secret_voting, issuer, tmp_path: Path,
) -> None:
    from ratsraum_voting.audit.verify import main as verify_audit

    meeting = await start_meeting(secret_voting)
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=6)
    voters = [p.username for p in MEMBERS[:4]]
    poll_id = str((await _open_secret(meeting, clerk))["id"])
    device = await _device(meeting, issuer, poll_id, voters[0])
    assert (await _cast(meeting, issuer, poll_id, voters[0],
                        encrypt_choice(device, "yes").ballot_json)).status_code == 201
    cancelled = await meeting.client.post(f"/api/v1/polls/{poll_id}/cancel",
                                          json={"reason": "Antrag zurückgezogen"}, headers=chair)
    assert cancelled.json()["state"] == "cancelled", cancelled.text
    audit = await _audit_record(secret_voting, poll_id)
    assert audit["entries"][-1]["body"]["reason"] == "Antrag zurückgezogen"  # type: ignore[index]
    (tmp_path / "cancelled.json").write_text(json.dumps(audit))
    assert verify_audit([str(tmp_path / "cancelled.json"), "--trust-embedded-key"]) == 0

    # Re-run: a new secret poll with its own keys; a ballot for the old one does not fit.
    poll_id = str((await _open_secret(meeting, clerk))["id"])
    old_device = await _device(meeting, issuer, poll_id, voters[0])
    assert (await _cast(meeting, issuer, poll_id, voters[0],
                        encrypt_choice(old_device, "no").ballot_json)).status_code == 201
    rerun = await meeting.client.post(f"/api/v1/polls/{poll_id}/rerun",
                                      json={"reason": "Ton ausgefallen"}, headers=chair)
    assert rerun.status_code == 201, rerun.text
    new_id = rerun.json()["id"]
    assert rerun.json()["method"] == "secret"
    stale = await _cast(meeting, issuer, new_id, voters[0],
                        encrypt_choice(old_device, "yes").ballot_json)
    assert stale.status_code == 422, stale.text
    device = await _device(meeting, issuer, new_id, voters[0])
    for username, choice in zip(voters, ["no", "no", "yes", "no"], strict=True):
        cast = await _cast(meeting, issuer, new_id, username,
                           encrypt_choice(device, choice).ballot_json)
        assert cast.status_code == 201, cast.text
    closed = await meeting.client.post(f"/api/v1/polls/{new_id}/close", headers=clerk)
    assert (closed.json()["result"]["no"], closed.json()["result"]["outcome"]) == (3, "rejected")
    old = (await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=clerk)).json()
    assert old["state"] == "void"

    # A secret election of persons on another item: the candidates are the options.
    item = demo.AGENDA[2]  # Ö 3
    candidates = [{"id": "c-meier", "name": "Meier"}, {"id": "c-kaya", "name": "Kaya"}]
    opened = await meeting.client.post(f"{BASE}/agenda-items/{item.id}/secret-elections",
                                       json={"candidates": candidates}, headers=clerk)
    assert opened.status_code == 201, opened.text
    election_id = opened.json()["id"]
    described = (await meeting.client.get(f"/api/v1/polls/{election_id}/secret",
                                          headers=issuer.person(voters[0]))).json()
    assert [o["id"] for o in described["options"]] == ["c-meier", "c-kaya"]
    device = await _device(meeting, issuer, election_id, voters[0])
    for username, choice in zip(voters, ["c-kaya", "c-kaya", "c-meier", "c-kaya"], strict=True):
        cast = await _cast(meeting, issuer, election_id, username,
                           encrypt_choice(device, choice).ballot_json)
        assert cast.status_code == 201, cast.text
    closed = await meeting.client.post(f"/api/v1/polls/{election_id}/close", headers=clerk)
    election = closed.json()["result"]["election"]
    assert (election["status"], election["elected"]) == ("elected", "c-kaya"), closed.text
