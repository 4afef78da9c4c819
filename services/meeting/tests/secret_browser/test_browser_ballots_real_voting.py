"""A secret vote whose ballots are all made in Chromium, through meeting and the real voting
service with three guardian processes: the guardians' tally is the browser-made choices, and
each code the browser showed is in the published record. ElectionGuard's small test group
(PRIME_OPTION=TestOnly) keeps the guardians fast; the browser finds the group itself.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from ratsraum_ballot_client import find_confirmation_code

from ratsraum_common import demo

pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
BrowserBallots = Any  # conftest.BrowserBallots


@pytest.fixture
async def secret_voting(nats_url: str, tmp_path: Path, guardians: str) -> AsyncIterator[str]:
    """The real voting service (SQLite) with the guardians; answers its gRPC target."""
    from ratsraum_voting.config import Settings as VotingSettings
    from ratsraum_voting.main import build_app as build_voting_app

    settings = VotingSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'voting.sqlite3'}", nats_url=nats_url,
        grpc_port=0, data_dir=tmp_path / "voting", guardians=guardians)
    app = build_voting_app(settings)
    async with app.router.lifespan_context(app):
        yield f"127.0.0.1:{app.state.grpc_port}"


async def test_browser_ballots_are_counted_and_their_codes_are_in_the_record(  # type: ignore[no-untyped-def]
    start_meeting, secret_voting, issuer, browser_ballots: BrowserBallots, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ratsraum_voting.secret.verify import main as verify_secret

    meeting = await start_meeting(secret_voting)
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=7)
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "secret"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = opened.json()["id"]

    choices = dict(zip([p.username for p in MEMBERS[:5]], ["yes", "no", "yes", "abstain", "yes"],
                       strict=True))
    codes = {}
    for username, choice in choices.items():
        described = await meeting.client.get(f"/api/v1/polls/{poll_id}/secret",
                                             headers=issuer.person(username))
        assert described.status_code == 200, described.text
        body = described.json()
        made = await browser_ballots.encrypt(body["manifest_json"], body["context_json"], choice)
        cast = await meeting.client.post(f"/api/v1/polls/{poll_id}/secret-ballots",
                                         json={"ballot_json": made["ballotJson"]},
                                         headers=issuer.person(username))
        assert cast.status_code == 201, cast.text
        assert cast.json()["confirmation_code"] == made["confirmationCode"]
        codes[username] = made["confirmationCode"]

    # A browser-made ballot with a changed proof response is refused and not counted.
    sixth = MEMBERS[5].username
    made = await browser_ballots.encrypt(body["manifest_json"], body["context_json"], "no")
    forged = json.loads(made["ballotJson"])
    proof = forged["contests"][0]["ballot_selections"][1]["proof"]
    proof["proof_one_response"] = format((int(proof["proof_one_response"], 16) + 1) % 0xFFF1,
                                         "04X")
    refused = await meeting.client.post(f"/api/v1/polls/{poll_id}/secret-ballots",
                                        json={"ballot_json": json.dumps(forged)},
                                        headers=issuer.person(sixth))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")

    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    assert (result["yes"], result["no"], result["ballots_cast"]) == (3, 1, 5)
    assert result["outcome"] == "accepted"

    for username, code in codes.items():
        lookup = await meeting.client.get(f"/api/v1/polls/{poll_id}/secret-record/codes/{code}",
                                          headers=issuer.person(username))
        assert lookup.json()["found"] is True, username
    archive = await meeting.client.get(f"/api/v1/polls/{poll_id}/secret-record", headers=clerk)
    folder = tmp_path / "published"
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(folder)
    assert verify_secret([str(folder)]) == 0
    assert result["record_sha256"] in capsys.readouterr().out
    assert all(find_confirmation_code(folder, code) for code in codes.values())
    tally = json.loads((folder / "tally.json").read_text())
    counted = {sid: s["tally"]
               for sid, s in tally["contests"]["abstimmung"]["selections"].items()}
    assert counted == {"yes": 3, "no": 1, "abstain": 1}
