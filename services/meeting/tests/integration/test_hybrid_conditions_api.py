"""Hybrid conditions through the API: recorded by the clerk, enforced when members join
remotely, when the meeting opens and when a vote opens, and stated in the minutes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ratsraum_common import demo
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.seed import body_id

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
CONDITIONS = f"{BASE}/hybrid-conditions"
PROFILE = f"/api/v1/bodies/{body_id(demo.TENANT, demo.BODY_SHORT)}/rule-profile"
ITEM = demo.AGENDA[2]
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
REMOTE = MEMBERS[6].subject


async def _choose(meeting, issuer, preset: str, kind: str = "council") -> None:
    answer = await meeting.client.put(PROFILE, json={"preset": preset, "kind": kind},
                                      headers=issuer.person("lange"))
    assert answer.status_code == 200, answer.text


async def _record(meeting, clerk: dict[str, str], **fields: Any) -> dict[str, Any]:
    answer = await meeting.client.put(CONDITIONS, json=fields, headers=clerk)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _remote(meeting, clerk: dict[str, str], person: str = REMOTE) -> Any:
    return await meeting.client.put(f"{BASE}/attendance/{person}",
                                    json={"presence": "remote"}, headers=clerk)


async def test_nrw_council_needs_an_emergency_decided_by_two_thirds(meeting, issuer) -> None:
    await _choose(meeting, issuer, "NRW")
    clerk = issuer.person("richter")
    statutory = (await meeting.client.get(BASE, headers=clerk)).json()["statutory_members"]
    needed = -(-2 * statutory // 3)
    state = (await meeting.client.get(CONDITIONS, headers=issuer.person("becker"))).json()
    assert state["required"] == ["emergency_declared", "two_thirds_decision"]
    assert state["required_citation"] == "§ 47a Abs. 1 GO NRW"
    assert (state["kind"], state["check"]["allowed"]) == ("council", True)  # nobody remote
    refused = await _remote(meeting, clerk)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/hybrid-emergency-missing")
    assert "§ 47a Abs. 1 GO NRW" in refused.json()["detail"]
    english = await meeting.client.put(f"{BASE}/attendance/{REMOTE}", json={
        "presence": "remote"}, headers={**clerk, "Accept-Language": "en"})
    assert "emergency has been declared" in english.json()["detail"]
    too_few = await _record(meeting, clerk, emergency_declared_on="2026-12-01",
                            emergency_declared_by="council", emergency_note="Hochwasser",
                            two_thirds_decided_on="2026-12-01", two_thirds_yes=needed - 1)
    assert too_few["check"]["allowed"] is True  # still nobody remote
    short = await _remote(meeting, clerk)
    assert short.json()["type"].endswith("/hybrid-two-thirds-missing")
    assert f"mindestens {needed} Ja-Stimmen" in short.json()["detail"]
    await _record(meeting, clerk, emergency_declared_on="2026-12-01",
                  emergency_declared_by="council", emergency_note="Hochwasser",
                  two_thirds_decided_on="2026-12-01", two_thirds_yes=needed)
    assert (await _remote(meeting, clerk)).status_code == 200
    # The record is withdrawn while a member is remote: the meeting may not open hybrid.
    cleared = await _record(meeting, clerk)
    assert cleared["check"] == {"allowed": False, "code": "hybrid-emergency-missing",
                                "detail_de": cleared["check"]["detail_de"],
                                "detail_en": cleared["check"]["detail_en"]}
    opened = await meeting.client.post(f"{BASE}/open", headers=clerk)
    assert opened.status_code == 409
    assert "§ 47a Abs. 1 GO NRW" in opened.json()["detail"]
    await _record(meeting, clerk, emergency_declared_on="2026-12-01",
                  emergency_declared_by="council", emergency_note="Hochwasser",
                  two_thirds_decided_on="2026-12-01", two_thirds_yes=needed)
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    html = (await meeting.client.get(f"{BASE}/minutes/html", headers=clerk)).text
    assert "Teilnahme per Video: erfasste Voraussetzungen" in html
    assert "Notlage festgestellt am 01.12.2026 durch die Vertretung (Rat) – Hochwasser" in html
    assert f"mit {needed} Ja-Stimmen" in html


async def test_only_clerks_record_and_only_what_belongs_to_the_meeting(meeting, issuer) -> None:
    clerk, member = issuer.person("richter"), issuer.person("becker")
    assert (await meeting.client.put(CONDITIONS, json={}, headers=member)).status_code == 403
    wrong_item = await meeting.client.put(CONDITIONS, json={"item_kinds": {"x-1": "bylaw"}},
                                          headers=clerk)
    assert wrong_item.status_code == 422
    assert "x-1" in wrong_item.json()["detail"]
    stranger = await meeting.client.put(CONDITIONS, json={"remote_members": {"nobody": {}}},
                                        headers=clerk)
    assert stranger.status_code == 422
    bad = await meeting.client.put(CONDITIONS, json={"item_kinds": {ITEM.id: "poem"}},
                                   headers=clerk)
    assert bad.status_code == 422
    elsewhere = {"Authorization": "Bearer " + issuer.token("x-1", ["clerk"], tenant="hamm")}
    assert (await meeting.client.get(CONDITIONS, headers=elsewhere)).status_code == 404


async def test_rhineland_palatinate_needs_consent_and_bars_bylaws(meeting, issuer) -> None:
    await _choose(meeting, issuer, "RP")
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=8)
    refused = await _remote(meeting, clerk)
    assert refused.json()["type"].endswith("/hybrid-consent-missing")
    assert "§ 35a Abs. 1 S. 1 GemO RP" in refused.json()["detail"]
    await _record(meeting, clerk, item_kinds={ITEM.id: "bylaw"},
                  remote_members={REMOTE: {"consent": True}})
    assert (await _remote(meeting, clerk)).status_code == 200
    polls = f"{BASE}/agenda-items/{ITEM.id}/polls"
    barred = await meeting.client.post(polls, json={"method": "open"}, headers=clerk)
    assert barred.status_code == 409
    assert barred.json()["type"].endswith("/barred-with-remote-members")
    assert "Satzungsbeschluss" in barred.json()["detail"]
    assert "§ 35a Abs. 1 S. 5 GemO RP" in barred.json()["detail"]
    other = await meeting.client.post(f"{BASE}/agenda-items/{demo.AGENDA[3].id}/polls",
                                      json={"method": "open"}, headers=clerk)
    assert other.status_code == 201, other.text
    html = (await meeting.client.get(f"{BASE}/minutes/html", headers=clerk)).text
    assert f"TOP {ITEM.number}: Satzungsbeschluss" in html
    assert "Einverständnis erklärt" in html


async def test_nrw_secret_vote_with_remote_members_goes_to_postal_ballot(meeting, issuer) -> None:
    clerk = issuer.person("richter")  # demo body: NRW committee, hybrid without conditions
    await meeting.open_and_attend(clerk, present=8)
    assert (await _remote(meeting, clerk)).status_code == 200
    polls = f"{BASE}/agenda-items/{ITEM.id}/polls"
    refused = await meeting.client.post(polls, json={"method": "secret"}, headers=clerk)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/postal-ballot-required")
    assert "Briefwahl" in refused.json()["detail"]
    assert "§ 4 Abs. 2 S. 1 DigiSiVO" in refused.json()["detail"]


async def test_the_presets_of_all_thirteen_states_carry_their_citations(meeting, issuer) -> None:
    presets = (await meeting.client.get("/api/v1/rule-profiles",
                                        headers=issuer.person("richter"))).json()
    by_code = {p["code"]: p for p in presets}
    assert set(by_code) == {"BB", "BW", "BY", "HE", "MV", "NI", "NRW", "RP", "SH", "SL", "SN",
                            "ST", "TH"}
    assert by_code["SH"]["citations"]["chair_in_room"] == "§ 34a Abs. 1 S. 2 GO SH"
    assert by_code["SN"]["rules"]["supervisory_notice_days"] == 7
    assert set(by_code["NI"]["citations"]) == set(by_code["NI"]["rules"]) - {
        "code", "name", "quorum_source"}


async def _held_earlier(meeting, *, started: str) -> None:
    """Another session of the same body, held on `started` (before the demo meeting)."""
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        session.add(Meeting(id=str(uuid.uuid4()), tenant_id=demo.TENANT,
                            body_id=body_id(demo.TENANT, demo.BODY_SHORT),
                            title="Sondersitzung", starts_at=datetime.fromisoformat(started),
                            started_at=datetime.fromisoformat(started), status="closed"))


async def test_thuringia_needs_the_councils_decision_once_its_next_session_was_held(
        meeting, issuer) -> None:
    await _choose(meeting, issuer, "TH")
    clerk = issuer.person("richter")
    mayor = {"emergency_declared_on": "2026-12-01", "emergency_declared_by": "mayor",
             "emergency_note": "Hochwasser"}
    await _record(meeting, clerk, **mayor)
    assert (await _remote(meeting, clerk)).status_code == 200  # the next session: allowed
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    html = (await meeting.client.get(f"{BASE}/minutes/html", headers=clerk)).text
    assert ("Die Vertretung hat in dieser Sitzung über den Fortbestand der am 01.12.2026 "
            "festgestellten Notlage zu beschließen (§ 36a Abs. 1 S. 4 and 5 ThürKO)") in html
    # A session was held since the declaration without the decision recorded: no more video.
    await _held_earlier(meeting, started="2026-12-03T18:00:00+01:00")
    refused = await _remote(meeting, clerk, MEMBERS[7].subject)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/hybrid-emergency-unconfirmed")
    assert "§ 36a Abs. 1 S. 4 and 5 ThürKO" in refused.json()["detail"]
    assert "1 Sitzung(en)" in refused.json()["detail"]
    await _record(meeting, clerk, **mayor, emergency_confirmed_on="2026-12-03")
    assert (await _remote(meeting, clerk, MEMBERS[7].subject)).status_code == 200
    html = (await meeting.client.get(f"{BASE}/minutes/html", headers=clerk)).text
    assert "Fortbestand der Notlage bestätigt am 03.12.2026" in html
