"""The law check of every vote through the API: opening, re-running after a disruption and a
runoff take the same gate; where a remote member may not take part in a ballot (BY, BW, BB,
RP) the vote opens without them, the answer cites the rule and the minutes name them; where
the law also takes them out of that ballot's quorum (all four), the quorum is checked without
them, and the answer and the minutes cite that rule too."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ratsraum_common import demo
from ratsraum_meeting.seed import body_id

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
PROFILE = f"/api/v1/bodies/{body_id(demo.TENANT, demo.BODY_SHORT)}/rule-profile"
ITEM = demo.AGENDA[2]
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
REMOTE = MEMBERS[6]  # not among the first six recorded in the room
CANDIDATES = [{"id": "c-meier", "name": "Meier"}, {"id": "c-kaya", "name": "Kaya"},
              {"id": "c-lang", "name": "Lang"}]
# (state, citation of the rule that keeps remote members out of elections, of the rule that
# takes them out of its quorum, their condition)
EXCLUDING_STATES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("BY", "Art. 47a Abs. 1 S. 6 GO Bayern",
     "Art. 47 Abs. 2, Art. 47a Abs. 1 S. 3 and 6 GO Bayern", {}),
    ("BW", "§ 37a GemO BW (2025 wording, per GAR BW)", "§ 37 Abs. 2 S. 1 GemO BW", {}),
    ("BB", "§ 34 Abs. 2 S. 2 BbgKVerf", "§ 34 Abs. 2 S. 2 BbgKVerf", {"remote_members": {
        REMOTE.subject: {"reason": "Pflege eines Angehörigen"}}}),
    ("RP", "§ 35a Abs. 1 S. 5 GemO RP", "§ 35a Abs. 1 S. 4 and 5, § 39 Abs. 1 GemO RP",
     {"remote_members": {REMOTE.subject: {"consent": True}}}),
]


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def _setup(meeting, issuer, preset: str, conditions: dict[str, Any], present: int = 6,
                 overrides: dict[str, Any] | None = None) -> dict[str, str]:
    chosen = await meeting.client.put(PROFILE, json={"preset": preset,
                                                     "overrides": overrides or {}},
                                      headers=issuer.person("lange"))
    assert chosen.status_code == 200, chosen.text
    clerk = issuer.person("richter")
    recorded = await meeting.client.put(f"{BASE}/hybrid-conditions", json=conditions,
                                        headers=clerk)
    assert recorded.status_code == 200, recorded.text
    await meeting.open_and_attend(clerk, present=present)
    return clerk


async def _presence(meeting, clerk: dict[str, str], presence: str) -> None:
    answer = await meeting.client.put(f"{BASE}/attendance/{REMOTE.subject}",
                                      json={"presence": presence}, headers=clerk)
    assert answer.status_code == 200, answer.text


async def _cast(meeting, issuer, poll_id: str, choices: list[str]) -> None:
    for person, choice in zip(MEMBERS, choices, strict=False):
        cast = await meeting.client.post(f"/api/v1/polls/{poll_id}/ballots",
                                         json={"choice": choice},
                                         headers={**issuer.person(person.username), **_key()})
        assert cast.status_code == 201, cast.text


def _assert_excluded(answer: Any, cite: str) -> None:
    excluded = answer.json()["remote_excluded"]
    assert excluded["persons"] == [REMOTE.subject]
    assert excluded["names"] == [REMOTE.name]
    assert cite in excluded["detail_de"]
    assert REMOTE.name in excluded["detail_de"]
    assert "may not take part in the election" in excluded["detail_en"]


@pytest.mark.parametrize(("preset", "cite", "quorum_cite", "conditions"), EXCLUDING_STATES)
async def test_remote_member_is_left_off_an_election_and_named_in_the_minutes(
        meeting, issuer, preset: str, cite: str, quorum_cite: str,
        conditions: dict[str, Any]) -> None:
    clerk = await _setup(meeting, issuer, preset, conditions)
    await _presence(meeting, clerk, "remote")
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/elections",
                                       json={"candidates": CANDIDATES}, headers=clerk)
    assert opened.status_code == 201, opened.text
    assert opened.json()["roll_size"] == 6  # seven present, the remote one not on the roll
    _assert_excluded(opened, cite)
    quorum = opened.json()["remote_excluded"]["quorum"]
    # 11 members: six in the room are quorate for the election without the remote one.
    assert (quorum["left_off"], quorum["cite"], quorum["counted"], quorum["required"]) == (
        True, quorum_cite, 6, 6)
    assert ("ohne 1 per Video zugeschaltetes Mitglied, das an dieser Abstimmung nicht "
            f"teilnehmen darf, {quorum_cite}") in quorum["detail_de"]
    assert quorum_cite in quorum["detail_en"]
    barred = await meeting.client.post(f"/api/v1/polls/{opened.json()['id']}/ballots",
                                       json={"choice": "c-meier"},
                                       headers={**issuer.person(REMOTE.username), **_key()})
    assert barred.status_code == 403, barred.text  # not on this vote's roll
    await _cast(meeting, issuer, opened.json()["id"], ["c-meier"] * 4)
    closed = await meeting.client.post(f"/api/v1/polls/{opened.json()['id']}/close",
                                       headers=clerk)
    assert closed.status_code == 200, closed.text
    html = (await meeting.client.get(f"{BASE}/minutes/html", headers=clerk)).text
    assert f"Nicht stimmberechtigt, weil per Video zugeschaltet ({cite}): {REMOTE.name}." in html
    assert (f"Für die Beschlussfähigkeit dieser Abstimmung zählen sie nicht mit ({quorum_cite})"
            in html)


@pytest.mark.parametrize(("preset", "cite", "quorum_cite", "conditions"), EXCLUDING_STATES)
async def test_an_election_is_refused_when_the_members_on_its_roll_are_not_quorate(
        meeting, issuer, preset: str, cite: str, quorum_cite: str,
        conditions: dict[str, Any]) -> None:
    clerk = await _setup(meeting, issuer, preset, conditions, present=5)
    await _presence(meeting, clerk, "remote")  # six present: quorate for an open vote
    refused = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/elections",
                                        json={"candidates": CANDIDATES}, headers=clerk)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/not-quorate")
    assert "5 von 11" in refused.json()["detail"]
    assert quorum_cite in refused.json()["detail"]
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "open"}, headers=clerk)
    assert opened.status_code == 201, opened.text  # the remote member votes on motions
    assert opened.json()["roll_size"] == 6


async def test_a_body_that_keeps_left_off_members_in_the_quorum_says_so(meeting,
                                                                         issuer) -> None:
    clerk = await _setup(meeting, issuer, "BY", {}, present=5,
                         overrides={"remote_left_off_leave_quorum": False})
    await _presence(meeting, clerk, "remote")
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/elections",
                                       json={"candidates": CANDIDATES}, headers=clerk)
    assert opened.status_code == 201, opened.text
    assert opened.json()["roll_size"] == 5
    quorum = opened.json()["remote_excluded"]["quorum"]
    assert (quorum["left_off"], quorum["counted"]) == (False, 6)
    assert quorum["cite"] == "Anpassung des Gremiums zu Regelprofil BY"
    assert "zählen sie weiter als anwesend" in quorum["detail_de"]


async def test_an_open_vote_keeps_remote_members_on_the_roll(meeting, issuer) -> None:
    clerk = await _setup(meeting, issuer, "BY", {})
    await _presence(meeting, clerk, "remote")
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "open"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    assert (opened.json()["roll_size"], opened.json()["remote_excluded"]) == (7, None)


async def test_a_runoff_takes_the_law_check_with_who_is_remote_now(meeting, issuer) -> None:
    clerk = await _setup(meeting, issuer, "BY", {})
    await _presence(meeting, clerk, "in_room")
    first = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/elections",
                                      json={"candidates": CANDIDATES}, headers=clerk)
    assert first.json()["roll_size"] == 7
    await _cast(meeting, issuer, first.json()["id"],
                ["c-meier", "c-meier", "c-kaya", "c-kaya", "c-lang", "c-meier"])
    closed = await meeting.client.post(f"/api/v1/polls/{first.json()['id']}/close",
                                       headers=clerk)
    assert closed.json()["result"]["election"]["status"] == "runoff"
    await _presence(meeting, clerk, "remote")
    runoff = await meeting.client.post(f"/api/v1/polls/{first.json()['id']}/runoff",
                                       headers=clerk)
    assert runoff.status_code == 201, runoff.text
    assert runoff.json()["roll_size"] == 6
    _assert_excluded(runoff, "Art. 47a Abs. 1 S. 6 GO Bayern")
    log = await meeting.client.get(f"/api/v1/polls/{runoff.json()['id']}/log", headers=clerk)
    assert [e["kind"] for e in log.json()] == ["runoff_of", "remote_excluded"]


async def test_lower_saxony_refuses_a_runoff_once_a_member_is_remote(meeting, issuer) -> None:
    clerk = await _setup(meeting, issuer, "NI", {})
    first = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/elections",
                                      json={"candidates": CANDIDATES}, headers=clerk)
    assert first.status_code == 201, first.text
    await _cast(meeting, issuer, first.json()["id"],
                ["c-meier", "c-meier", "c-kaya", "c-kaya", "c-lang", "c-meier"])
    await meeting.client.post(f"/api/v1/polls/{first.json()['id']}/close", headers=clerk)
    await _presence(meeting, clerk, "remote")
    refused = await meeting.client.post(f"/api/v1/polls/{first.json()['id']}/runoff",
                                        headers=clerk)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/barred-with-remote-members")
    assert "NKomVG" in refused.json()["detail"]


async def test_a_rerun_is_refused_where_the_law_now_bars_the_vote(meeting, issuer) -> None:
    clerk = await _setup(meeting, issuer, "RP", {
        "item_kinds": {ITEM.id: "bylaw"}, "remote_members": {REMOTE.subject: {"consent": True}}})
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "open"}, headers=clerk)
    assert opened.status_code == 201, opened.text  # nobody remote yet
    await _presence(meeting, clerk, "remote")
    chair = issuer.person("schulte")
    refused = await meeting.client.post(f"/api/v1/polls/{opened.json()['id']}/rerun",
                                        json={"reason": "Ton ausgefallen"}, headers=chair)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/barred-with-remote-members")
    assert "§ 35a Abs. 1 S. 5 GemO RP" in refused.json()["detail"]
    await _presence(meeting, clerk, "in_room")
    rerun = await meeting.client.post(f"/api/v1/polls/{opened.json()['id']}/rerun",
                                      json={"reason": "Ton ausgefallen"}, headers=chair)
    assert rerun.status_code == 201, rerun.text


async def test_a_rerun_leaves_remote_members_off_an_election(meeting, issuer) -> None:
    clerk = await _setup(meeting, issuer, "BY", {})
    await _presence(meeting, clerk, "in_room")
    first = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/elections",
                                      json={"candidates": CANDIDATES}, headers=clerk)
    assert first.json()["remote_excluded"] is None
    await _presence(meeting, clerk, "remote")
    rerun = await meeting.client.post(f"/api/v1/polls/{first.json()['id']}/rerun",
                                      json={"reason": "Bild ausgefallen"},
                                      headers=issuer.person("schulte"))
    assert rerun.status_code == 201, rerun.text
    assert rerun.json()["roll_size"] == 6
    _assert_excluded(rerun, "Art. 47a Abs. 1 S. 6 GO Bayern")
