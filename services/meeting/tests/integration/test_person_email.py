"""Where invitations go: the clerk's office keeps each person's mail address (checked)."""

from __future__ import annotations

from typing import Any

from ratsraum_common import demo

ADMIN = "/api/v1/admin"
BRAUN = next(p for p in demo.PEOPLE if p.username == "braun")


async def _emails(meeting: Any, issuer: Any) -> dict[str, str | None]:
    rows = (await meeting.client.get(f"{ADMIN}/persons", headers=issuer.person("lange"))).json()
    return {r["id"]: r["email"] for r in rows}


async def test_clerk_and_admin_set_a_checked_address(meeting: Any, issuer: Any) -> None:
    url = f"{ADMIN}/persons/{BRAUN.subject}/email"
    # The demo town comes with example addresses, so invitations can be tried at once.
    assert (await _emails(meeting, issuer))[BRAUN.subject] == "braun@soest.example"
    clerk = issuer.person("richter")
    changed = await meeting.client.put(url, json={"email": "Heinz.Braun@Example.ORG"},
                                       headers=clerk)
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "Heinz.Braun@example.org"
    assert (await _emails(meeting, issuer))[BRAUN.subject] == "Heinz.Braun@example.org"
    for bad in ("heinz.braun", "heinz@", "heinz braun@example.org", "h@localhost"):
        refused = await meeting.client.put(url, json={"email": bad}, headers=clerk)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"] == "application/problem+json"
    assert (await _emails(meeting, issuer))[BRAUN.subject] == "Heinz.Braun@example.org"
    cleared = await meeting.client.put(url, json={"email": None}, headers=issuer.person("lange"))
    assert cleared.status_code == 200
    assert (await _emails(meeting, issuer))[BRAUN.subject] is None


async def test_members_and_other_towns_cannot_set_addresses(meeting: Any, issuer: Any) -> None:
    url = f"{ADMIN}/persons/{BRAUN.subject}/email"
    body = {"email": "braun@example.org"}
    assert (await meeting.client.put(url, json=body,
                                     headers=issuer.person("braun"))).status_code == 403
    other = await meeting.client.put(url, json=body,
                                     headers=issuer.person("richter", tenant="werl"))
    assert other.status_code == 404
    unknown = await meeting.client.put(f"{ADMIN}/persons/nobody/email", json=body,
                                       headers=issuer.person("richter"))
    assert unknown.status_code == 404


async def test_a_new_person_may_come_with_an_address(meeting: Any, issuer: Any) -> None:
    admin = issuer.person("lange")
    created = await meeting.client.post(f"{ADMIN}/persons", headers=admin, json={
        "name": "Ute Vogel", "party": "FDP", "email": "ute.vogel@example.org"})
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "ute.vogel@example.org"
    bad = await meeting.client.post(f"{ADMIN}/persons", headers=admin, json={
        "name": "Ohne Adresse", "email": "keine"})
    assert bad.status_code == 422
