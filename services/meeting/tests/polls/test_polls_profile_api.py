"""Rule profiles through the API: admins choose them, and votes and presence follow them."""

from __future__ import annotations

from typing import Any

from ratsraum_common import demo
from ratsraum_meeting.seed import body_id

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
BODY = body_id(demo.TENANT, demo.BODY_SHORT)
PROFILE = f"/api/v1/bodies/{BODY}/rule-profile"
ITEM, OTHER_ITEM = demo.AGENDA[2], demo.AGENDA[3]  # Ö 3, Ö 4
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def _choose(meeting, issuer, preset: str, **fields: Any) -> dict[str, Any]:
    answer = await meeting.client.put(PROFILE, json={"preset": preset, **fields},
                                      headers=issuer.person("lange"))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_admins_choose_the_profile_clerks_read_it(meeting, issuer) -> None:
    clerk, member = issuer.person("richter"), issuer.person("becker")
    presets = (await meeting.client.get("/api/v1/rule-profiles", headers=clerk)).json()
    assert {"NRW", "BY", "BW", "NI", "SN", "RP", "SL", "SH", "HE"} <= {p["code"] for p in presets}
    assert (await meeting.client.get(PROFILE, headers=member)).status_code == 403
    current = (await meeting.client.get(PROFILE, headers=clerk)).json()
    assert (current["preset"], current["kind"], current["overrides"]) == ("NRW", "committee", {})
    assert current["effective"]["quorum_source"] == "§ 49 Abs. 1 S. 1 GO NRW"
    assert (await meeting.client.put(PROFILE, json={"preset": "BY"},
                                     headers=clerk)).status_code == 403
    chosen = await _choose(meeting, issuer, "BY", overrides={"max_remote_members": 4})
    assert chosen["effective"]["abstention_allowed"] is False
    assert chosen["effective"]["max_remote_members"] == 4
    assert (await meeting.client.get(PROFILE, headers=clerk)).json() == chosen
    invalid = await meeting.client.put(PROFILE, json={
        "preset": "BY", "overrides": {"disruption_report_minutes": "bald"}},
        headers=issuer.person("lange"))
    assert invalid.status_code == 422
    assert "disruption_report_minutes" in invalid.json()["detail"]
    assert (await meeting.client.get(PROFILE, headers=clerk)).json() == chosen  # unchanged
    unknown = await meeting.client.put(PROFILE, json={"preset": "XX"},
                                       headers=issuer.person("lange"))
    assert unknown.status_code == 422
    detail = (await meeting.client.get(BASE, headers=member)).json()
    assert detail["rule_profile"] == "BY"
    elsewhere = {"Authorization": "Bearer " + issuer.token("x-1", ["admin"], tenant="hamm")}
    assert (await meeting.client.put(PROFILE, json={"preset": "HE"},
                                     headers=elsewhere)).status_code == 404


async def test_bavaria_offers_no_abstention_and_keeps_the_chair_in_the_room(
    meeting, issuer, fake_voting
) -> None:
    await _choose(meeting, issuer, "BY")
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    quorum = (await meeting.client.get(f"{BASE}/quorum", headers=clerk)).json()
    assert (quorum["rule"], quorum["quorate"]) == ("BY", True)
    assert "Art. 47 Abs. 2 GO Bayern" in quorum["explanation"]
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "roll_call"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll = fake_voting[0].polls[(demo.TENANT, opened.json()["id"])].poll
    assert [(o.id, o.label) for o in poll.options] == [("yes", "Ja"), ("no", "Nein")]
    chair = MEMBERS[0]  # Anna Schulte chairs the committee
    remote = await meeting.client.put(f"{BASE}/attendance/{chair.subject}",
                                      json={"presence": "remote"}, headers=clerk)
    assert remote.status_code == 409
    assert "Sitzungsleitung im Sitzungsraum" in remote.json()["detail"]
    other = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[7].subject}",
                                     json={"presence": "remote"}, headers=clerk)
    assert other.status_code == 200


async def test_bavaria_knows_no_secret_vote_on_a_motion(meeting, issuer) -> None:
    await _choose(meeting, issuer, "BY")
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    remote_member = MEMBERS[6].subject
    await meeting.client.put(f"{BASE}/attendance/{remote_member}",
                             json={"presence": "remote"}, headers=clerk)
    url = f"{BASE}/agenda-items/{ITEM.id}/polls"
    # Art. 51 Abs. 1 S. 1 GO: decisions are taken in an open vote; the refusal cites it.
    refused = await meeting.client.post(url, json={"method": "secret"}, headers=clerk)
    assert refused.status_code == 409
    assert "Art. 51 Abs. 1 S. 1 GO Bayern" in refused.json()["detail"]
    # Where the law knows secret votes, the plain endpoint refuses them for what they are.
    await _choose(meeting, issuer, "MV")
    later = await meeting.client.post(url, json={"method": "secret"}, headers=clerk)
    assert later.status_code == 422
    assert "noch nicht verfügbar" in later.json()["detail"]
    english = await meeting.client.post(url, json={"method": "secret"},
                                        headers={**clerk, "Accept-Language": "en"})
    assert "not available in Ratsraum yet" in english.json()["detail"]
    no_candidates = await meeting.client.post(url, json={"method": "election"}, headers=clerk)
    assert no_candidates.status_code == 422
    assert no_candidates.json()["type"].endswith("/candidates-required")


async def test_saarland_requests_make_the_vote_roll_call_or_secret(meeting, issuer) -> None:
    await _choose(meeting, issuer, "SL")
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=8)
    requests = f"{BASE}/agenda-items/{ITEM.id}/vote-requests"
    for member in MEMBERS[1:4]:
        answer = await meeting.client.post(requests, json={"kind": "roll_call"},
                                           headers=issuer.person(member.username))
        assert answer.status_code == 201
    state = (await meeting.client.get(requests, headers=clerk)).json()
    assert state["roll_call"] == {"kind": "roll_call", "count": 3, "required": 4,
                                  "threshold": "mehr als 1/3", "reached": False}
    assert state["default_method"] == "open"
    again = await meeting.client.post(requests, json={"kind": "roll_call"},
                                      headers=issuer.person(MEMBERS[1].username))
    assert (again.status_code, again.json()["roll_call"]["count"]) == (200, 3)
    fourth = await meeting.client.post(requests, json={"kind": "roll_call"},
                                       headers=issuer.person(MEMBERS[4].username))
    assert fourth.json()["default_method"] == "roll_call"
    polls = f"{BASE}/agenda-items/{ITEM.id}/polls"
    weaker = await meeting.client.post(polls, json={"method": "open"}, headers=clerk)
    assert weaker.status_code == 409
    assert "namentliche Abstimmung beantragt (4, nötig 4)" in weaker.json()["detail"]
    opened = await meeting.client.post(polls, json={}, headers=clerk)
    assert (opened.status_code, opened.json()["method"]) == (201, "roll_call")
    secret = f"{BASE}/agenda-items/{OTHER_ITEM.id}/vote-requests"
    for member in MEMBERS[1:5]:
        await meeting.client.post(secret, json={"kind": "roll_call"},
                                  headers=issuer.person(member.username))
        await meeting.client.post(secret, json={"kind": "secret"},
                                  headers=issuer.person(member.username))
    assert (await meeting.client.get(secret, headers=clerk)).json()["default_method"] == "secret"
    held = await meeting.client.post(f"{BASE}/agenda-items/{OTHER_ITEM.id}/polls", json={},
                                     headers=clerk)
    assert held.status_code == 422  # secret precedes roll-call; not in voting yet
    assert (await meeting.client.post(secret, json={"kind": "secret"},
                                      headers=clerk)).status_code == 403


async def test_requests_only_where_the_profile_provides_and_hybrid_only_where_allowed(
    meeting, issuer
) -> None:
    await _choose(meeting, issuer, "HE")
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    refused = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/vote-requests",
                                        json={"kind": "secret"},
                                        headers=issuer.person(MEMBERS[1].username))
    assert refused.status_code == 422
    assert "Regelprofil HE sieht keinen Antrag" in refused.json()["detail"]
    await _choose(meeting, issuer, "NRW", kind="finance_committee")
    remote = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[8].subject}",
                                      json={"presence": "remote"}, headers=clerk)
    # § 58a GO NRW: the finance committee meets hybrid only under § 47a (an emergency).
    assert remote.status_code == 409
    assert "§ 47a Abs. 1 GO NRW" in remote.json()["detail"]
    await _choose(meeting, issuer, "NRW", kind="finance_committee",
                  overrides={"hybrid_excluded_kinds": ["finance_committee"]})
    excluded = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[8].subject}",
                                        json={"presence": "remote"}, headers=clerk)
    assert excluded.status_code == 409
    assert "nicht hybrid tagen" in excluded.json()["detail"]
    await _choose(meeting, issuer, "NRW", kind="committee",
                  overrides={"max_remote_members": 1})
    first = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[8].subject}",
                                     json={"presence": "remote"}, headers=clerk)
    assert first.status_code == 200
    second = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[9].subject}",
                                      json={"presence": "remote"}, headers=clerk)
    assert second.status_code == 409
    assert "höchstens 1 Mitglieder" in second.json()["detail"]
