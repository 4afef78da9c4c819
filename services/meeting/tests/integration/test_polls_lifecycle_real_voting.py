"""The vote lifecycle against the real voting service: cancel, show of hands, election, re-run."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest

from ratsraum_common import demo


def _voting_module() -> ModuleType | None:
    try:
        return importlib.import_module("ratsraum_voting.main")
    except ImportError:
        return None


_voting_main = _voting_module()

pytestmark = pytest.mark.skipif(
    _voting_main is None or not hasattr(_voting_main, "build_app"),
    reason="ratsraum_voting has no build_app yet",
)

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


@pytest.fixture
async def voting_target(
    request: pytest.FixtureRequest, database_url: str, nats_url: str, tmp_path: Path
) -> AsyncIterator[str]:
    """The real voting service on a free port, with its own database of the same kind."""
    from ratsraum_voting.config import Settings as VotingSettings

    assert _voting_main is not None
    if database_url.startswith("sqlite"):
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'voting.sqlite3'}"
    else:
        db_url = request.getfixturevalue("postgres_cluster").create_database()
    settings = VotingSettings(database_url=db_url, nats_url=nats_url, grpc_port=0,
                              data_dir=tmp_path / "voting")
    app = _voting_main.build_app(settings)
    async with app.router.lifespan_context(app):
        yield f"127.0.0.1:{app.state.grpc_port}"


async def _open(meeting, issuer, body: dict[str, object], kind: str = "polls") -> str:
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/{kind}", json=body,
                                       headers=issuer.person("richter"))
    assert opened.status_code == 201, opened.text
    return str(opened.json()["id"])


async def test_lifecycle_through_real_voting(start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk, chair = issuer.person("richter"), issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=7)
    poll_id = await _open(meeting, issuer, {"method": "open"})
    cancelled = await meeting.client.post(f"/api/v1/polls/{poll_id}/cancel",
                                          json={"reason": "Antrag zurückgezogen"}, headers=chair)
    assert cancelled.json()["state"] == "cancelled", cancelled.text
    poll_id = await _open(meeting, issuer, {"method": "open"})
    hands = await meeting.client.post(f"/api/v1/polls/{poll_id}/show-of-hands",
                                      json={"counts": {"yes": 5, "no": 1}}, headers=clerk)
    assert hands.status_code == 200, hands.text
    assert hands.json()["result"]["show_of_hands"] is True
    assert hands.json()["result"]["outcome"] == "accepted"
    candidates = [{"id": "c-meier", "name": "Meier"}, {"id": "c-kaya", "name": "Kaya"}]
    election_id = await _open(meeting, issuer, {"candidates": candidates}, kind="elections")
    for person, choice in zip(MEMBERS[:4], ["c-meier", "c-kaya"] * 2, strict=True):
        cast = await meeting.client.post(
            f"/api/v1/polls/{election_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
        assert cast.status_code == 201, cast.text
    rerun = await meeting.client.post(f"/api/v1/polls/{election_id}/rerun",
                                      json={"reason": "Ton ausgefallen"}, headers=chair)
    assert rerun.status_code == 201, rerun.text
    new_id = rerun.json()["id"]
    for person, choice in zip(MEMBERS[:4], ["c-meier", "c-kaya"] * 2, strict=True):
        await meeting.client.post(
            f"/api/v1/polls/{new_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
    first = await meeting.client.post(f"/api/v1/polls/{new_id}/close", headers=clerk)
    assert first.json()["result"]["election"]["status"] == "runoff", first.text
    runoff = await meeting.client.post(f"/api/v1/polls/{new_id}/runoff", headers=clerk)
    assert runoff.status_code == 201, runoff.text
    new_id = runoff.json()["id"]
    for person, choice in zip(MEMBERS[:4], ["c-meier", "c-kaya"] * 2, strict=True):
        await meeting.client.post(
            f"/api/v1/polls/{new_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
    tied = await meeting.client.post(f"/api/v1/polls/{new_id}/close", headers=clerk)
    election = tied.json()["result"]["election"]
    assert election["status"] == "lot_pending", tied.text
    drawn = await meeting.client.post(f"/api/v1/polls/{new_id}/lot", headers=chair)
    assert drawn.status_code == 200, drawn.text
    election = drawn.json()["result"]["election"]
    assert election["lot_commitment"]
    assert election["lot_seed"]
    assert election["lot_drawn"][0] in {"c-meier", "c-kaya"}
