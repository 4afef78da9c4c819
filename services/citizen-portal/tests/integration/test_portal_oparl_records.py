"""OParl 1.1 for every type, from the System down, checked against the schemas and against the
specification's rules: ids are the https addresses they are fetched at, every list ends its
`links.next` chain, every address an object names answers, deleted objects stay as stubs that
`modified_since` finds, nothing is sent empty, persons carry no private data, and each public
vote's record travels in the documented `ratsraum:vote` extension."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.protobuf import struct_pb2  # type: ignore[import-untyped, unused-ignore]

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack.oparl_check import OParlClient, kind_of, validate

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
BASE = "https://ratsraum.example.de/buergerportal"
OPARL = "https://schema.oparl.org/1.1/"
LISTS = ("organization", "person", "meeting", "paper", "agendaItem", "consultation", "file",
         "locationList", "legislativeTermList", "membership")


def _record(kind: str, record_id: str, **data: Any) -> public_pb2.PublicRecord:
    body = struct_pb2.Struct()
    body.update(data)
    return public_pb2.PublicRecord(kind=kind, id=record_id, data=body)


@pytest.fixture
async def ingress_portal(
    start_portal: Any, database_url: str, unreachable_meeting: str
) -> AsyncIterator[Portal]:
    """The portal as the operator runs it: public https base URL behind an ingress."""
    async with start_portal(database_url, unreachable_meeting, public_base_url=BASE) as running:
        yield running


@pytest.fixture
def oparl(ingress_portal: Portal) -> OParlClient:
    """Reads the portal's OParl by the ids it serves."""
    return OParlClient(ingress_portal.http, BASE)


def _signed(meeting: public_pb2.PublicMeeting) -> public_pb2.PublicMinutesSigned:
    """Signed minutes whose attendance list names a member, an absent one and a guest."""
    html = "<!DOCTYPE html><html lang=\"de\"><body><p>Niederschrift</p></body></html>"
    minutes = public_pb2.PublicMinutesSigned(
        tenant=meeting.tenant, meeting_id=meeting.id, body_name=meeting.body_name,
        title=meeting.title, public_html=html,
        public_html_sha256=hashlib.sha256(html.encode()).hexdigest(),
        minutes_sha256=hashlib.sha256(b"alle Teile").hexdigest())
    minutes.signed_at.FromDatetime(datetime(2025, 11, 26, 9, 30, tzinfo=UTC))
    minutes.participants.add(person_id="anna", name="Anna Becker", role="chair",
                             presence="in_room")
    minutes.participants.add(person_id="jonas", name="Jonas Weber", role="member",
                             presence="absent")
    # Listed in the minutes but no public person record: never named by OParl.
    minutes.participants.add(person_id="gast-7", name="Gabi Gast", role="member",
                             presence="remote")
    return minutes


@pytest.fixture
async def town(ingress_portal: Portal, publish: Any, publish_records: Any,
               publish_minutes: Any, new_meeting: Any, tenant: str) -> dict[str, Any]:
    """A town with a held meeting (two votes on its first item, signed minutes), a planned one
    of a committee without a place, two bodies, two members, a paper with a place and files."""
    meeting = new_meeting(status="closed", body_id="rat")
    first = meeting.agenda[0]
    first.paper_id = "paper-1"
    first.result.majority_rule = "simple"
    # A re-run: the first count stays on record with its own outcome.
    first.results.add(poll_id="poll-0", method="open", outcome="rejected", yes=5, no=6,
                      roll_size=11, ballots_cast=11, majority_rule="simple",
                      show_of_hands=True)
    first.results.append(first.result)
    secret = meeting.agenda[1]
    secret.ClearField("live_vote")
    secret.status = "decided"
    secret.result.CopyFrom(public_pb2.PublicVoteResult(
        method="secret", outcome="rejected", yes=4, no=7, roll_size=11, ballots_cast=11,
        majority_rule="simple", record_sha256="ab" * 32))
    planned = new_meeting(status="scheduled", body_id="hfa", location="")
    await publish(meeting, 1)
    await publish(planned, 1)
    await publish_minutes(_signed(meeting))
    await publish_records(tenant, [
        _record("organization", "rat", name="Rat der Stadt", short_name="Rat",
                organization_type="Gremium"),
        _record("organization", "hfa", name="Haupt- und Finanzausschuss",
                organization_type="Gremium"),
        _record("person", "anna", name="Anna Becker"),
        _record("person", "jonas", name="Jonas Weber"),
        _record("membership", "1", person_id="anna", organization_id="rat", role="chair",
                start_date="2025-11-01"),
        _record("membership", "2", person_id="jonas", organization_id="rat", role="member"),
        _record("legislative_term", "wp-2025", name="Wahlperiode 2025–2030",
                start_date="2025-11-01", end_date="2030-10-31"),
        _record("paper", "paper-1", name="Radwegekonzept", reference="V/2025/101",
                locations=[{"description": "Markt", "lon": 8.1, "lat": 51.57}]),
        _record("consultation", "item-1", paper_id="paper-1", agenda_item_id="item-1",
                meeting_id=meeting.id, organization_id="rat"),
        _record("file", "file-1", name="Vorlage", file_name="v101.pdf",
                mime_type="application/pdf", size=1234.0,
                access_url="https://ris.example.de/v101.pdf",
                links=[{"owner_kind": "paper", "owner_id": "paper-1", "role": "mainFile"},
                       {"owner_kind": "meeting", "owner_id": meeting.id,
                        "role": "auxiliaryFile"}]),
        _record("file", "file-2", name="Beschluss", access_url="https://ris.example.de/b.pdf",
                links=[{"owner_kind": "agenda_item", "owner_id": "item-1",
                        "meeting_id": meeting.id, "role": "resolutionFile"}]),
    ])
    ours = f"{BASE}/oparl/v1/{tenant}"
    for _ in range(400):  # records come last; the minutes before them
        answer = await ingress_portal.http.get(f"/oparl/v1/{tenant}/files/file-2")
        if answer.status_code == 200:
            break
    return {"meeting": meeting, "planned": planned, "root": ours}


async def test_every_list_and_object_follows_schema_and_rules(
    oparl: OParlClient, town: dict[str, Any], tenant: str
) -> None:
    system = await oparl.get(f"{BASE}/oparl/v1/system")
    bodies = await oparl.crawl(system["body"])
    body = next(b for b in bodies if b["id"] == f"{BASE}/oparl/v1/bodies/{tenant}")
    validate(body)
    assert [t["name"] for t in body["legislativeTerm"]] == ["Wahlperiode 2025–2030"]

    objects = await oparl.crawl_body(body, LISTS)
    assert {kind_of(o) for o in objects.values()} == {
        "Organization", "Person", "Membership", "Meeting", "AgendaItem", "Paper",
        "Consultation", "File", "Location", "LegislativeTerm"}
    await oparl.check_references(objects)

    root = town["root"]
    person = objects[f"{root}/persons/anna"]
    assert not {"email", "phone"} & set(person)
    assert person["membership"][0]["role"] == "Vorsitz"
    paper = objects[f"{root}/papers/paper-1"]
    assert paper["mainFile"]["accessUrl"] == "https://ris.example.de/v101.pdf"
    assert paper["mainFile"]["downloadUrl"] == f"{BASE}/{tenant}/dokumente/file-1"
    assert paper["location"][0]["geojson"]["geometry"]["coordinates"] == [8.1, 51.57]
    assert paper["consultation"][0]["agendaItem"] == (
        f"{root}/agenda-items/{town['meeting'].id}-item-1")
    meeting = objects[f"{root}/meetings/{town['meeting'].id}"]
    assert meeting["organization"] == [f"{root}/organizations/rat"]
    assert meeting["auxiliaryFile"][0]["id"] == f"{root}/files/file-1"
    first, second = meeting["agendaItem"]
    assert first["consultation"] == f"{root}/consultations/item-1"
    assert first["resolutionFile"]["id"] == f"{root}/files/file-2"
    assert first["ratsraum:vote"]["namedVotes"] == [
        {"name": "Anna Becker", "vote": "yes"}, {"name": "Jonas Weber", "vote": "no"}]
    assert first["ratsraum:vote"]["majorityRule"] == "simple"
    vote = second["ratsraum:vote"]
    assert (vote["method"], vote["outcome"], vote["yes"], vote["no"]) == (
        "secret", "rejected", 4, 7)
    assert vote["secretRecordSha256"] == "ab" * 32
    assert "namedVotes" not in vote
    assert second["ratsraum:votes"] == [vote]


async def test_meeting_places_participants_and_organization_meetings(
    oparl: OParlClient, town: dict[str, Any]
) -> None:
    root, held, planned = town["root"], town["meeting"].id, town["planned"].id
    meeting = await oparl.get(f"{root}/meetings/{held}")
    assert meeting["location"] == {
        "id": f"{root}/locations/meeting-{held}", "type": f"{OPARL}Location",
        "description": "Rathaus, Sitzungssaal", "created": meeting["location"]["created"],
        "modified": meeting["location"]["modified"]}
    place = await oparl.get(meeting["location"]["id"])
    assert place["meetings"] == [meeting["id"]]
    # Who took part by the signed minutes: the absent member and the guest without a
    # public person record are not named, nor is anything else of the attendance list.
    assert meeting["participant"] == [f"{root}/persons/anna"]
    served = json.dumps(meeting)
    assert "Gast" not in served
    assert "gast-7" not in served
    later = await oparl.get(f"{root}/meetings/{planned}")
    assert not {"location", "participant"} & set(later)

    rat = await oparl.get(f"{root}/organizations/rat")
    assert rat["meeting"] == f"{root}/organizations/rat/meetings"
    assert [m["id"] for m in await oparl.crawl(rat["meeting"])] == [meeting["id"]]
    hfa = await oparl.get(f"{root}/organizations/hfa")
    assert [m["id"] for m in await oparl.crawl(hfa["meeting"])] == [later["id"]]
    assert await oparl.crawl(hfa["meeting"], modified_since="2999-01-01T00:00:00Z") == []

    first = meeting["agendaItem"][0]
    votes = first["ratsraum:votes"]
    assert [(v["outcome"], v["yes"], v["no"]) for v in votes] == [
        ("rejected", 5, 6), ("accepted", 6, 3)]
    assert votes[0]["showOfHands"] is True
    assert votes[-1] == first["ratsraum:vote"]
    assert all(v["@context"] == "https://ratsraum.de/oparl/1.0/vote" for v in votes)


async def test_deleted_objects_stay_as_stubs_found_by_modified_since(
    oparl: OParlClient, town: dict[str, Any], publish: Any, publish_records: Any, tenant: str
) -> None:
    root = town["root"]
    before = datetime.now(UTC)  # the town's records are all older
    gone = public_pb2.PublicRecord(kind="person", id="anna", deleted=True)
    await publish_records(tenant, [gone, public_pb2.PublicRecord(
        kind="paper", id="paper-1", deleted=True)])
    moved = town["meeting"]
    moved.location = ""  # the place is taken away: its Location goes as a stub
    await publish(moved, 2)
    for _ in range(400):
        stub = await oparl.get(f"{root}/persons/anna")
        place = await oparl.get(f"{root}/locations/meeting-{moved.id}")
        if stub.get("deleted") and place.get("deleted"):
            break
    assert stub == {"id": f"{root}/persons/anna", "type": f"{OPARL}Person",
                    "created": stub["created"], "modified": stub["modified"], "deleted": True}
    validate(stub)
    validate(place)
    changed = await oparl.crawl(f"{root}/persons", modified_since=before.isoformat())
    assert [p["id"] for p in changed] == [f"{root}/persons/anna"]
    assert changed[0]["deleted"] is True
    # The paper's place goes with it, the meeting's with its address; the list keeps stubs.
    places = await oparl.crawl(f"{root}/locations")
    assert [p.get("deleted") for p in places] == [True, True]
    meeting = await oparl.get(f"{root}/meetings/{moved.id}")
    assert "location" not in meeting
    # A person no longer public is no longer named as a participant either.
    assert "participant" not in meeting
    assert await oparl.crawl(f"{root}/persons",
                             modified_since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()
                             ) == []


async def test_unknown_objects_and_lists_answer_error_objects(
    ingress_portal: Portal, town: dict[str, Any], tenant: str
) -> None:
    for path in (f"/oparl/v1/{tenant}/persons/niemand", f"/oparl/v1/{tenant}/papers/..",
                 f"/oparl/v1/{tenant}/files/unbekannt", f"/oparl/v1/{tenant}/vorlagen",
                 f"/oparl/v1/{tenant}/agenda-items/x/y",
                 f"/oparl/v1/{tenant}/organizations/niemand/meetings",
                 f"/oparl/v1/{tenant}/organizations/..%2F/meetings"):
        response = await ingress_portal.http.get(path)
        assert response.status_code == 404, path
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.json()["type"] == "https://schema.oparl.org/1.1/Error", path
    bad = await ingress_portal.http.get(f"/oparl/v1/{tenant}/papers",
                                        params={"created_since": "gestern"})
    assert bad.status_code == 400
    assert bad.json()["type"] == "https://schema.oparl.org/1.1/Error"
