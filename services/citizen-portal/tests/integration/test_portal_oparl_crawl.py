"""OParl 1.1 from the System down: every object served matches the specification's schemas,
ids are the https addresses behind the ingress, lists page by `links.next`, filters answer
empty pages, unknown addresses answer Error objects, and anyone may fetch it (CORS)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack.oparl_check import OParlClient, validate

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
BASE = "https://ratsraum.example.de/buergerportal"


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


def _minutes(meeting: public_pb2.PublicMeeting) -> public_pb2.PublicMinutesSigned:
    html = "<!DOCTYPE html><html lang=\"de\"><body><p>Niederschrift</p></body></html>"
    minutes = public_pb2.PublicMinutesSigned(
        tenant=meeting.tenant, meeting_id=meeting.id, body_name=meeting.body_name,
        title=meeting.title, chair_name="Anna Schulte", clerk_name="Jana Richter",
        public_html=html, public_html_sha256=hashlib.sha256(html.encode()).hexdigest(),
        minutes_sha256=hashlib.sha256(b"alle Teile").hexdigest(),
    )
    minutes.signed_at.FromDatetime(datetime(2025, 11, 26, 9, 30, tzinfo=UTC))
    minutes.items.add(id="item-1", number="Ö 1", position=1, title="Digitale Ratsarbeit",
                      decision="Beschlossen.")
    return minutes


async def test_crawl_from_the_system_validates_every_object(
    ingress_portal: Portal, oparl: OParlClient, publish: Any, publish_minutes: Any,
    new_meeting: Any, tenant: str
) -> None:
    planned = new_meeting(status="scheduled", present=0, quorate=False)
    held = new_meeting(status="closed")
    third = new_meeting(status="running", location="Bürgerhaus Ampen, Saal 2")
    for meeting in (planned, held, third):
        await publish(meeting, 1)
    await publish_minutes(_minutes(held))
    await ingress_portal.wait_for_meeting(tenant, third.id)
    for _ in range(200):  # minutes travel on the same stream, after the meetings
        page = await ingress_portal.http.get(f"/{tenant}/sitzungen/{held.id}/niederschrift")
        if page.status_code == 200:
            break

    system = await oparl.get(f"{BASE}/oparl/v1/system")
    validate(system)
    assert system["id"] == f"{BASE}/oparl/v1/system"
    bodies = await oparl.crawl(system["body"])
    for body in bodies:
        validate(body)
    ours = next(b for b in bodies if b["id"] == f"{BASE}/oparl/v1/bodies/{tenant}")
    assert ours["name"] == f"Stadt {tenant}"
    assert await oparl.get(ours["id"]) == ours

    objects = await oparl.crawl_body(ours, ("meeting", "locationList"))
    await oparl.check_references(objects)
    meetings = [o for o in objects.values() if o["type"].endswith("/Meeting")]
    assert {m["id"] for m in meetings} == {
        f"{BASE}/oparl/v1/{tenant}/meetings/{m.id}" for m in (planned, held, third)}
    for meeting in meetings:
        if "resultsProtocol" in meeting:
            protocol = meeting["resultsProtocol"]
            fetched = await oparl.get(protocol["id"])
            assert fetched == {**protocol, "meeting": [meeting["id"]]}
    states = {m["id"].rsplit("/", 1)[1]: m["meetingState"] for m in meetings}
    assert states == {planned.id: "terminiert", third.id: "eingeladen",
                      held.id: "durchgeführt"}
    # Every meeting's place is a Location of the town, listed once per meeting.
    places = {m["id"]: m["location"]["description"] for m in meetings}
    assert sorted(places.values()) == [
        "Bürgerhaus Ampen, Saal 2", "Rathaus, Sitzungssaal", "Rathaus, Sitzungssaal"]
    assert len([o for o in objects.values() if o["type"].endswith("/Location")]) == 3
    for kind in ("organization", "person", "paper"):
        listed = await oparl.get(ours[kind])
        assert listed["data"] == []
        assert "next" not in listed["links"]


async def test_filters_answer_pages_and_unknown_addresses_answer_error_objects(
    ingress_portal: Portal, oparl: OParlClient, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await ingress_portal.wait_for_meeting(tenant, meeting.id)
    meetings = f"{BASE}/oparl/v1/{tenant}/meetings"

    future = await oparl.get(meetings, modified_since="2999-01-01T00:00:00+01:00")
    assert future["data"] == []
    past = await oparl.get(meetings, created_until="2000-01-01T00:00:00Z")
    assert past["data"] == []
    recent = await oparl.get(meetings, created_since="2000-01-01T00:00:00Z",
                        modified_until="2999-01-01T00:00:00Z")
    assert [m["id"] for m in recent["data"]] == [f"{meetings}/{meeting.id}"]
    assert recent["links"]["first"].startswith(f"{meetings}?created_since=")
    no_bodies = await oparl.get(f"{BASE}/oparl/v1/bodies",
                           created_since="2999-01-01T00:00:00Z")
    assert no_bodies["data"] == []

    for path, status in ((f"/oparl/v1/{tenant}/meetings/unbekannt", 404),
                         ("/oparl/v1/bodies/niemandsland", 404),
                         ("/oparl/v1/niemandsland/meetings", 404),
                         (f"/oparl/v1/{tenant}/dinge", 404),
                         ("/oparl/v1/gibt/es/nicht", 404),
                         (f"/oparl/v1/{tenant}/meetings?modified_since=gestern", 400),
                         (f"/oparl/v1/{tenant}/meetings?limit=0", 400)):
        response = await ingress_portal.http.get(path, headers={"Accept": "text/html"})
        assert response.status_code == status, path
        assert response.headers["access-control-allow-origin"] == "*"
        error = response.json()
        assert error["type"] == "https://schema.oparl.org/1.1/Error", path
        assert error["message"], path
