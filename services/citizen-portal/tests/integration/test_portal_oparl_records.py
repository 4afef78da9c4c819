"""OParl 1.1 for every type, from the System down, checked against the schemas and against the
specification's rules: ids are the https addresses they are fetched at, every list ends its
`links.next` chain, every address an object names answers, deleted objects stay as stubs that
`modified_since` finds, nothing is sent empty, persons carry no private data, and each public
vote's record travels in the documented `ratsraum:vote` extension."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from google.protobuf import struct_pb2  # type: ignore[import-untyped, unused-ignore]

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack.paths import shared_dir

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
BASE = "https://ratsraum.example.de/buergerportal"
OPARL = "https://schema.oparl.org/1.1/"
LISTS = ("organization", "person", "meeting", "paper", "agendaItem", "consultation", "file",
         "locationList", "legislativeTermList", "membership")


def _validate(obj: dict[str, Any]) -> None:
    """An object (and what it embeds) matches its schema and sends nothing empty."""
    kind = obj["type"].removeprefix(OPARL)
    schema = json.loads((shared_dir() / "oparl" / "schema" / f"{kind}.json").read_text("utf-8"))
    jsonschema.validate(obj, schema)
    for key, value in obj.items():
        assert value not in (None, "", {}), f"{kind}.{key} is empty; it should be left out"
        assert value != [] or key == "legislativeTerm", f"{kind}.{key} is an empty list"
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict) and str(inner.get("type", "")).startswith(OPARL):
                _validate(inner)


def _addresses(value: Any) -> set[str]:
    """Every OParl address an object names, embedded objects included."""
    if isinstance(value, str):
        return {value} if value.startswith(f"{BASE}/oparl/") else set()
    if isinstance(value, list):
        return set().union(*(_addresses(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_addresses(v) for k, v in value.items() if k != "id"))
    return set()


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


async def _get(portal: Portal, url: str, **params: str) -> dict[str, Any]:
    assert url.startswith(f"{BASE}/oparl/v1/"), url
    response = await portal.http.get(url.removeprefix(BASE), params=params or None)
    assert response.status_code == 200, (url, response.text)
    assert response.headers["access-control-allow-origin"] == "*"
    body: dict[str, Any] = response.json()
    return body


async def _crawl(portal: Portal, url: str, **params: str) -> list[dict[str, Any]]:
    """Every object of a list, one per page; the `links.next` chain must end."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    page = await _get(portal, url, limit="1", **params)
    while True:
        assert page["links"]["self"] not in seen, "links.next runs in a circle"
        seen.add(page["links"]["self"])
        found.extend(page["data"])
        if "next" not in page["links"]:
            return found
        page = await _get(portal, page["links"]["next"])


@pytest.fixture
async def town(ingress_portal: Portal, publish: Any, publish_records: Any, new_meeting: Any,
               tenant: str) -> dict[str, Any]:
    """A town with a held meeting, its body, a member, a paper with a place and two files."""
    meeting = new_meeting(status="closed", body_id="rat")
    meeting.agenda[0].paper_id = "paper-1"
    meeting.agenda[0].result.majority_rule = "simple"
    secret = meeting.agenda[1]
    secret.ClearField("live_vote")
    secret.status = "decided"
    secret.result.CopyFrom(public_pb2.PublicVoteResult(
        method="secret", outcome="rejected", yes=4, no=7, roll_size=11, ballots_cast=11,
        majority_rule="simple", record_sha256="ab" * 32))
    await publish(meeting, 1)
    await publish_records(tenant, [
        _record("organization", "rat", name="Rat der Stadt", short_name="Rat",
                organization_type="Gremium"),
        _record("person", "anna", name="Anna Becker"),
        _record("membership", "1", person_id="anna", organization_id="rat", role="chair",
                start_date="2025-11-01"),
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
    for _ in range(400):
        answer = await ingress_portal.http.get(f"/oparl/v1/{tenant}/files/file-2")
        if answer.status_code == 200:
            break
    return {"meeting": meeting, "root": ours}


async def test_every_list_and_object_follows_schema_and_rules(
    ingress_portal: Portal, town: dict[str, Any], tenant: str
) -> None:
    system = await _get(ingress_portal, f"{BASE}/oparl/v1/system")
    bodies = await _crawl(ingress_portal, system["body"])
    body = next(b for b in bodies if b["id"] == f"{BASE}/oparl/v1/bodies/{tenant}")
    _validate(body)
    assert [t["name"] for t in body["legislativeTerm"]] == ["Wahlperiode 2025–2030"]

    objects: dict[str, dict[str, Any]] = {}
    for name in LISTS:
        listed = await _crawl(ingress_portal, body[name])
        assert listed, f"{name} is empty"
        for obj in listed:
            _validate(obj)
            assert await _get(ingress_portal, obj["id"]) == obj  # the id is its address
            objects[obj["id"]] = obj
    named = set().union(*(_addresses(o) for o in objects.values()))
    for address in named - set(objects) - {body["id"], system["id"]}:
        await _get(ingress_portal, address.split("?")[0])  # every named address answers

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


async def test_deleted_objects_stay_as_stubs_found_by_modified_since(
    ingress_portal: Portal, town: dict[str, Any], publish_records: Any, tenant: str
) -> None:
    root = town["root"]
    before = datetime.now(UTC) - timedelta(seconds=1)
    gone = public_pb2.PublicRecord(kind="person", id="anna", deleted=True)
    await publish_records(tenant, [gone, public_pb2.PublicRecord(
        kind="paper", id="paper-1", deleted=True)])
    for _ in range(400):
        stub = await _get(ingress_portal, f"{root}/persons/anna")
        if stub.get("deleted"):
            break
    assert stub == {"id": f"{root}/persons/anna", "type": f"{OPARL}Person",
                    "created": stub["created"], "modified": stub["modified"], "deleted": True}
    _validate(stub)
    changed = await _crawl(ingress_portal, f"{root}/persons",
                           modified_since=before.isoformat())
    assert [p["id"] for p in changed] == [f"{root}/persons/anna"]
    assert changed[0]["deleted"] is True
    # The paper's place goes with it; the list keeps both as stubs.
    places = await _crawl(ingress_portal, f"{root}/locations")
    assert [p.get("deleted") for p in places] == [True]
    assert await _crawl(ingress_portal, f"{root}/persons",
                        modified_since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []


async def test_unknown_objects_and_lists_answer_error_objects(
    ingress_portal: Portal, town: dict[str, Any], tenant: str
) -> None:
    for path in (f"/oparl/v1/{tenant}/persons/niemand", f"/oparl/v1/{tenant}/papers/..",
                 f"/oparl/v1/{tenant}/files/unbekannt", f"/oparl/v1/{tenant}/vorlagen",
                 f"/oparl/v1/{tenant}/agenda-items/x/y"):
        response = await ingress_portal.http.get(path)
        assert response.status_code == 404, path
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.json()["type"] == "https://schema.oparl.org/1.1/Error", path
    bad = await ingress_portal.http.get(f"/oparl/v1/{tenant}/papers",
                                        params={"created_since": "gestern"})
    assert bad.status_code == 400
    assert bad.json()["type"] == "https://schema.oparl.org/1.1/Error"
