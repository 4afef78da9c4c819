"""Admin API of the master data: bodies, terms, people and seats, only for the town's admins."""

from __future__ import annotations

from typing import Any

ADMIN = "/api/v1/admin"


async def test_admin_keeps_bodies_terms_people_and_seats(meeting: Any, issuer: Any) -> None:
    admin = issuer.person("lange")
    client = meeting.client
    body = await client.post(f"{ADMIN}/bodies", headers=admin, json={
        "name": "Rat der Stadt Soest", "short": "Rat", "statutory_members": 45,
        "classification": "Rat"})
    assert body.status_code == 201, body.text
    body_id = body.json()["id"]
    changed = await client.patch(f"{ADMIN}/bodies/{body_id}", headers=admin,
                                 json={"statutory_members": 47})
    assert changed.json()["statutory_members"] == 47
    assert changed.json()["name"] == "Rat der Stadt Soest"

    term = await client.post(f"{ADMIN}/legislative-terms", headers=admin, json={
        "name": "Wahlperiode 2025–2030", "start_date": "2025-11-01", "end_date": "2030-10-31"})
    assert term.status_code == 201
    terms = (await client.get(f"{ADMIN}/legislative-terms", headers=admin)).json()
    assert [t["name"] for t in terms] == ["Wahlperiode 2025–2030"]

    person = (await client.post(f"{ADMIN}/persons", headers=admin,
                                json={"name": "Ute Vogel", "party": "FDP"})).json()
    seat = await client.post(f"{ADMIN}/memberships", headers=admin, json={
        "body_id": body_id, "person_id": person["id"], "role": "deputy",
        "start_date": "2025-11-01"})
    assert seat.status_code == 201, seat.text
    chair = await client.patch(f"{ADMIN}/memberships/{seat.json()['id']}", headers=admin,
                               json={"role": "chair"})
    assert chair.json()["role"] == "chair"
    listed = (await client.get(f"{ADMIN}/memberships", headers=admin,
                               params={"body_id": body_id})).json()
    assert [(s["person_id"], s["role"]) for s in listed] == [(person["id"], "chair")]


async def test_master_data_refusals_are_german_problems(meeting: Any, issuer: Any) -> None:
    admin = issuer.person("lange")
    client = meeting.client
    body_id = (await client.get(f"{ADMIN}/bodies", headers=admin)).json()[0]["id"]
    person_id = (await client.get(f"{ADMIN}/persons", headers=admin)).json()[0]["id"]

    twice = await client.post(f"{ADMIN}/memberships", headers=admin, json={
        "body_id": body_id, "person_id": person_id})
    assert twice.status_code == 409
    assert twice.headers["content-type"].startswith("application/problem+json")
    assert "bereits eine Mitgliedschaft" in twice.json()["detail"]

    backwards = await client.post(f"{ADMIN}/legislative-terms", headers=admin, json={
        "name": "falsch", "start_date": "2030-01-01", "end_date": "2025-01-01"})
    assert backwards.status_code == 422
    assert "Ende" in backwards.json()["detail"]

    bad_role = await client.post(f"{ADMIN}/memberships", headers=admin, json={
        "body_id": body_id, "person_id": person_id, "role": "king"})
    assert bad_role.status_code == 422

    member = issuer.person("becker")
    assert (await client.get(f"{ADMIN}/bodies", headers=member)).status_code == 403
    clerk = issuer.person("richter")
    assert (await client.post(f"{ADMIN}/bodies", headers=clerk, json={
        "name": "x", "statutory_members": 3})).status_code == 403


async def test_another_towns_admin_sees_and_changes_nothing(meeting: Any, issuer: Any) -> None:
    soest = issuer.person("lange")
    body_id = (await meeting.client.get(f"{ADMIN}/bodies", headers=soest)).json()[0]["id"]
    werl = {"Authorization": "Bearer " + issuer.token("werl-admin", ["admin"], tenant="werl")}
    assert (await meeting.client.get(f"{ADMIN}/bodies", headers=werl)).json() == []
    assert (await meeting.client.get(f"{ADMIN}/persons", headers=werl)).json() == []
    patched = await meeting.client.patch(f"{ADMIN}/bodies/{body_id}", headers=werl,
                                         json={"name": "gekapert"})
    assert patched.status_code == 404
    person_id = (await meeting.client.get(f"{ADMIN}/persons", headers=soest)).json()[0]["id"]
    seat = await meeting.client.post(f"{ADMIN}/memberships", headers=werl, json={
        "body_id": body_id, "person_id": person_id})
    assert seat.status_code == 404
    names = [b["name"] for b in (await meeting.client.get(f"{ADMIN}/bodies",
                                                          headers=soest)).json()]
    assert "gekapert" not in names


async def test_a_huge_page_offset_is_refused_not_a_crash(meeting: Any, issuer: Any) -> None:
    admin = issuer.person("lange")
    huge = await meeting.client.get(f"{ADMIN}/papers", headers=admin,
                                    params={"offset": "22476434680935603326238588928"})
    assert huge.status_code == 422, huge.text
    assert huge.headers["content-type"].startswith("application/problem+json")
    assert huge.json()["errors"][0]["field"] == "query.offset"


async def test_null_for_a_required_name_is_refused(meeting: Any, issuer: Any) -> None:
    admin = issuer.person("lange")
    client = meeting.client
    term = (await client.post(f"{ADMIN}/legislative-terms", headers=admin,
                              json={"name": "WP 2025", "start_date": "2025-11-01"})).json()
    nulled = await client.patch(f"{ADMIN}/legislative-terms/{term['id']}", headers=admin,
                                json={"name": None, "start_date": None})
    assert nulled.status_code == 422, nulled.text
    assert nulled.json()["errors"][0]["field"] == "name"
    cleared = await client.patch(f"{ADMIN}/legislative-terms/{term['id']}", headers=admin,
                                 json={"start_date": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json() == {**term, "start_date": None}


async def test_a_membership_id_beyond_any_integer_column_is_not_found(
    meeting: Any, issuer: Any
) -> None:
    # Found by the OpenAPI fuzzing (tests/fuzz): the id overflowed the database's integer.
    response = await meeting.client.patch(f"{ADMIN}/memberships/5955036932315906310144",
                                          headers=issuer.person("lange"),
                                          json={"voting_right": True})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "path.membership_id"
    just_past = await meeting.client.patch(f"{ADMIN}/memberships/{2**31}",
                                           headers=issuer.person("lange"), json={})
    assert just_past.status_code == 422, just_past.text
