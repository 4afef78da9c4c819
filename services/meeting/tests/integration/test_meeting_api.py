"""The member and clerk API: who may do what, tenant isolation, attendance, quorum, errors."""

from __future__ import annotations

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
VOTABLE = demo.AGENDA[2].id  # Ö 3
MEMBERS = [p.subject for p in demo.PEOPLE if p.is_member]


async def test_member_sees_themselves_and_the_whole_agenda(meeting, issuer) -> None:
    becker = issuer.person("becker")
    me = (await meeting.client.get("/api/v1/me", headers=becker)).json()
    assert me["tenant"] == "soest"
    assert me["person"]["name"] == "Markus Becker"
    listed = (await meeting.client.get("/api/v1/meetings", headers=becker)).json()
    assert [m["id"] for m in listed] == [demo.MEETING_ID]
    assert listed[0]["body"]["name"] == demo.BODY_NAME
    detail = (await meeting.client.get(BASE, headers=becker)).json()
    assert [i["number"] for i in detail["agenda"]] == [i.number for i in demo.AGENDA]
    assert detail["status"] == "scheduled"


async def test_only_clerk_or_chair_runs_the_meeting(meeting, issuer) -> None:
    member = issuer.person("becker")
    refused = await meeting.client.post(f"{BASE}/open", headers=member)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    poll = await meeting.client.post(f"{BASE}/agenda-items/{VOTABLE}/polls",
                                     json={"method": "open"}, headers=member)
    assert poll.status_code == 403
    clerk = issuer.person("richter")
    opened = await meeting.client.post(f"{BASE}/open", headers=clerk)
    assert opened.status_code == 200
    assert opened.json()["status"] == "running"
    again = await meeting.client.post(f"{BASE}/open", headers=issuer.person("schulte"))
    assert again.json()["status"] == "running"


async def test_another_towns_token_finds_nothing(meeting, issuer) -> None:
    # Hamm's clerk of every body, as identity issues it (town-wide clerk in `town_roles`).
    clerk_elsewhere = {"Authorization": "Bearer " + issuer.token(
        "x-1", ["clerk"], tenant="hamm", town_roles=["clerk"], body_roles=[])}
    assert (await meeting.client.get(BASE, headers=clerk_elsewhere)).status_code == 404
    assert (await meeting.client.get("/api/v1/meetings", headers=clerk_elsewhere)).json() == []
    opened = await meeting.client.post(f"{BASE}/open", headers=clerk_elsewhere)
    assert opened.status_code == 404
    assert "Sitzung" in opened.json()["detail"]


async def test_requests_without_valid_token_are_refused(meeting, issuer) -> None:
    assert (await meeting.client.get("/api/v1/meetings")).status_code == 401
    wrong_audience = issuer.token("x", ["clerk"]).split(".")
    forged = ".".join([wrong_audience[0], wrong_audience[1], "AAAA"])
    answer = await meeting.client.get("/api/v1/meetings",
                                      headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401


async def test_attendance_drives_the_quorum(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=5)
    quorum = (await meeting.client.get(f"{BASE}/quorum", headers=clerk)).json()
    assert quorum | {"explanation": ""} == {
        "quorate": False, "present": 5, "required": 6, "statutory_members": 11, "rule": "NRW",
        "explanation": "",
    }
    sixth = MEMBERS[5]
    remote = await meeting.client.put(f"{BASE}/attendance/{sixth}", json={"presence": "remote"},
                                      headers=clerk)
    assert remote.json()["presence"] == "remote"
    assert (await meeting.client.get(f"{BASE}/quorum", headers=clerk)).json()["quorate"] is True
    listing = (await meeting.client.get(f"{BASE}/attendance",
                                        headers=issuer.person("becker"))).json()
    assert len(listing) == 11
    assert sum(r["presence"] != "absent" for r in listing) == 6


async def test_attendance_only_for_members_and_valid_presence(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    clerk_id = demo.subject_for(demo.TENANT, "richter")
    not_member = await meeting.client.put(f"{BASE}/attendance/{clerk_id}",
                                          json={"presence": "in_room"}, headers=clerk)
    assert not_member.status_code == 404
    assert "kein Mitglied" in not_member.json()["detail"]
    bad = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[0]}",
                                   json={"presence": "asleep"}, headers=clerk)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "presence"
    member_cannot = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[0]}",
                                             json={"presence": "in_room"},
                                             headers=issuer.person("becker"))
    assert member_cannot.status_code == 403


async def test_malformed_json_and_unknown_routes_are_problems(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    malformed = await meeting.client.put(
        f"{BASE}/attendance/{MEMBERS[0]}", content=b'{"presence": ',
        headers={**clerk, "Content-Type": "application/json"})
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/problem+json"
    unknown = await meeting.client.get("/api/v1/nothing-here", headers=clerk)
    assert unknown.status_code == 404
    assert unknown.json()["status"] == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_openapi_is_published(meeting) -> None:
    spec = (await meeting.client.get("/api/v1/openapi.json")).json()
    assert "/api/v1/polls/{poll_id}/ballots" in spec["paths"]


async def test_demo_seed_is_idempotent(start_meeting, fake_voting, issuer) -> None:
    target = f"127.0.0.1:{fake_voting[1]}"
    first = await start_meeting(target)
    clerk = issuer.person("richter")
    await first.client.post(f"{BASE}/open", headers=clerk)
    second = await start_meeting(target)  # a restart on the same database
    listed = (await second.client.get("/api/v1/meetings", headers=clerk)).json()
    assert [(m["id"], m["status"]) for m in listed] == [(demo.MEETING_ID, "running")]
    attendance = (await second.client.get(f"{BASE}/attendance", headers=clerk)).json()
    assert len(attendance) == len(MEMBERS)
