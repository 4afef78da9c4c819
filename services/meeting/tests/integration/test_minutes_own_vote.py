"""Bavaria: a member may demand that the minutes record how they voted (own_vote_on_record)."""

from __future__ import annotations

import uuid

from ratsraum_common import demo
from ratsraum_meeting.seed import body_id

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
MINUTES = f"{BASE}/minutes"
PROFILE = f"/api/v1/bodies/{body_id(demo.TENANT, demo.BODY_SHORT)}/rule-profile"
ITEM, OTHER = demo.AGENDA[2], demo.AGENDA[3]
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def _closed_poll(meeting, issuer, method: str, choices: list[str],  # type: ignore[no-untyped-def]
                       item: demo.DemoAgendaItem = ITEM) -> str:
    clerk = issuer.person("richter")
    opened = await meeting.client.post(f"{BASE}/agenda-items/{item.id}/polls",
                                       json={"method": method}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = str(opened.json()["id"])
    for person, choice in zip(MEMBERS, choices, strict=False):
        cast = await meeting.client.post(
            f"/api/v1/polls/{poll_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
        assert cast.status_code == 201, cast.text
    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    return poll_id


async def _demand(meeting, issuer, poll_id: str, who: str, **body: object):  # type: ignore[no-untyped-def]
    return await meeting.client.put(f"{MINUTES}/own-votes/{poll_id}", json=body,
                                    headers=issuer.person(who))


async def test_a_bavarian_member_has_their_open_vote_recorded(meeting, issuer) -> None:
    chosen = await meeting.client.put(PROFILE, json={"preset": "BY"},
                                      headers=issuer.person("lange"))
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["effective"]["own_vote_on_record"] is True
    await meeting.open_and_attend(issuer.person("richter"), present=7)
    poll_id = await _closed_poll(meeting, issuer, "open", ["yes", "yes", "no"])
    hoffmann, becker = MEMBERS[2], MEMBERS[1]

    unstated = await _demand(meeting, issuer, poll_id, hoffmann.username)
    assert unstated.status_code == 422
    assert unstated.headers["content-type"] == "application/problem+json"
    assert "nicht, wer wie gestimmt hat" in unstated.json()["detail"]
    stated = await _demand(meeting, issuer, poll_id, hoffmann.username, choice="no")
    assert stated.status_code == 200, stated.text
    assert stated.json() == {"poll_id": poll_id, "person_id": hoffmann.subject,
                             "choice": "no", "source": "declared"}
    # Only one "no" was counted, and Hoffmann has stated it: a second "no" contradicts the tally.
    implausible = await _demand(meeting, issuer, poll_id, becker.username, choice="no")
    assert implausible.status_code == 409, implausible.text
    not_voted = await _demand(meeting, issuer, poll_id, MEMBERS[5].username, choice="yes")
    assert not_voted.status_code == 409
    assert "keine Stimme abgegeben" in not_voted.json()["detail"]
    for_other = await _demand(meeting, issuer, poll_id, becker.username, choice="yes",
                              person_id=MEMBERS[0].subject)
    assert for_other.status_code == 403
    by_clerk = await _demand(meeting, issuer, poll_id, "richter", choice="yes",
                             person_id=becker.subject)
    assert by_clerk.status_code == 200, by_clerk.text

    roll_call = await _closed_poll(meeting, issuer, "roll_call", ["yes", "no"], item=OTHER)
    named = await _demand(meeting, issuer, roll_call, MEMBERS[0].username, choice="yes")
    assert named.status_code == 409
    assert "namentlichen" in named.json()["detail"]

    html = (await meeting.client.get(f"{MINUTES}/html",
                                     headers=issuer.person("becker"))).text
    recorded = html.split(f'id="poll-{poll_id}"')[1].split("</div>")[0]
    assert "Auf Verlangen des Mitglieds festgehalten" in recorded
    assert f"{hoffmann.name}: Nein (nach eigener Angabe)" in recorded
    assert f"{becker.name}: Ja (nach eigener Angabe)" in recorded

    withdrawn = await meeting.client.delete(f"{MINUTES}/own-votes/{poll_id}",
                                            headers=issuer.person(hoffmann.username))
    assert withdrawn.status_code == 204
    html = (await meeting.client.get(f"{MINUTES}/html",
                                     headers=issuer.person("becker"))).text
    assert f"{hoffmann.name}: Nein" not in html

    for role, who in (("chair", "schulte"), ("clerk", "richter")):
        signed = await meeting.client.post(f"{MINUTES}/sign", json={"role": role},
                                           headers=issuer.person(who))
        assert signed.status_code == 200, signed.text
    late = await _demand(meeting, issuer, poll_id, hoffmann.username, choice="no")
    assert late.status_code == 409
    assert "unterzeichnet" in late.json()["detail"]


async def test_elsewhere_the_profile_decides(meeting, issuer) -> None:
    await meeting.open_and_attend(issuer.person("richter"), present=7)
    poll_id = await _closed_poll(meeting, issuer, "open", ["yes", "no"])
    refused = await _demand(meeting, issuer, poll_id, MEMBERS[1].username, choice="no")
    assert refused.status_code == 409
    assert "Regelprofil NRW" in refused.json()["detail"]
    switched = await meeting.client.put(
        PROFILE, json={"preset": "NRW", "overrides": {"own_vote_on_record": True}},
        headers=issuer.person("lange"))
    assert switched.status_code == 200, switched.text
    allowed = await _demand(meeting, issuer, poll_id, MEMBERS[1].username, choice="no")
    assert allowed.status_code == 200, allowed.text
