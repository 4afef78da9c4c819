"""OParl 1.1 from the System down: every object served matches the specification's schemas,
ids are the https addresses behind the ingress, lists page by `links.next`, filters answer
empty pages, unknown addresses answer Error objects, and anyone may fetch it (CORS)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack.paths import shared_dir

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
BASE = "https://ratsraum.example.de/buergerportal"
OPARL = "https://schema.oparl.org/1.1/"


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (shared_dir() / "oparl" / "schema" / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def _validate(obj: dict[str, Any]) -> None:
    """Check an object (and the objects it embeds) against its OParl schema."""
    kind = obj["type"].removeprefix(OPARL)
    jsonschema.validate(obj, _schema(kind))
    for key, value in obj.items():
        assert value not in (None, "", {}), f"{kind}.{key} is empty; it should be left out"
        assert value != [] or key == "legislativeTerm", f"{kind}.{key} is an empty list"
        embedded = value if isinstance(value, list) else [value]
        for inner in embedded:
            if isinstance(inner, dict) and "type" in inner:
                _validate(inner)


@pytest.fixture
async def ingress_portal(
    start_portal: Any, database_url: str, unreachable_meeting: str
) -> AsyncIterator[Portal]:
    """The portal as the operator runs it: public https base URL behind an ingress."""
    async with start_portal(database_url, unreachable_meeting, public_base_url=BASE) as running:
        yield running


async def _get(portal: Portal, url: str, **params: str) -> dict[str, Any]:
    assert url.startswith(f"{BASE}/oparl/v1/"), url
    # httpx would drop the query of a `links.next` address when given empty params.
    response = await portal.http.get(url.removeprefix(BASE), params=params or None)
    assert response.status_code == 200, (url, response.text)
    assert response.headers["access-control-allow-origin"] == "*"
    body: dict[str, Any] = response.json()
    return body


async def _crawl_list(portal: Portal, url: str) -> list[dict[str, Any]]:
    """Every object of a list, one per page, following links.next to the end."""
    found: list[dict[str, Any]] = []
    page = await _get(portal, url, limit="1")
    while True:
        assert len(page["data"]) <= 1
        found.extend(page["data"])
        if "next" not in page["links"]:
            return found
        page = await _get(portal, page["links"]["next"])


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
    ingress_portal: Portal, publish: Any, publish_minutes: Any, new_meeting: Any, tenant: str
) -> None:
    planned = new_meeting(status="scheduled", present=0, quorate=False)
    held = new_meeting(status="closed")
    third = new_meeting(status="running")
    for meeting in (planned, held, third):
        await publish(meeting, 1)
    await publish_minutes(_minutes(held))
    await ingress_portal.wait_for_meeting(tenant, third.id)
    for _ in range(200):  # minutes travel on the same stream, after the meetings
        page = await ingress_portal.http.get(f"/{tenant}/sitzungen/{held.id}/niederschrift")
        if page.status_code == 200:
            break

    system = await _get(ingress_portal, f"{BASE}/oparl/v1/system")
    _validate(system)
    assert system["id"] == f"{BASE}/oparl/v1/system"
    bodies = await _crawl_list(ingress_portal, system["body"])
    for body in bodies:
        _validate(body)
    ours = next(b for b in bodies if b["id"] == f"{BASE}/oparl/v1/bodies/{tenant}")
    assert ours["name"] == f"Stadt {tenant}"
    assert await _get(ingress_portal, ours["id"]) == ours

    meetings = await _crawl_list(ingress_portal, ours["meeting"])
    assert {m["id"] for m in meetings} == {
        f"{BASE}/oparl/v1/{tenant}/meetings/{m.id}" for m in (planned, held, third)}
    for meeting in meetings:
        _validate(meeting)
        assert await _get(ingress_portal, meeting["id"]) == meeting
        if "resultsProtocol" in meeting:
            protocol = meeting["resultsProtocol"]
            assert await _get(ingress_portal, protocol["id"]) == protocol
    states = {m["id"].rsplit("/", 1)[1]: m["meetingState"] for m in meetings}
    assert states == {planned.id: "terminiert", third.id: "eingeladen",
                      held.id: "durchgeführt"}
    for kind in ("organization", "person", "paper"):
        listed = await _get(ingress_portal, ours[kind])
        assert listed["data"] == []
        assert "next" not in listed["links"]


async def test_filters_answer_pages_and_unknown_addresses_answer_error_objects(
    ingress_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await ingress_portal.wait_for_meeting(tenant, meeting.id)
    meetings = f"{BASE}/oparl/v1/{tenant}/meetings"

    future = await _get(ingress_portal, meetings, modified_since="2999-01-01T00:00:00+01:00")
    assert future["data"] == []
    past = await _get(ingress_portal, meetings, created_until="2000-01-01T00:00:00Z")
    assert past["data"] == []
    recent = await _get(ingress_portal, meetings, created_since="2000-01-01T00:00:00Z",
                        modified_until="2999-01-01T00:00:00Z")
    assert [m["id"] for m in recent["data"]] == [f"{meetings}/{meeting.id}"]
    assert recent["links"]["first"].startswith(f"{meetings}?created_since=")
    no_bodies = await _get(ingress_portal, f"{BASE}/oparl/v1/bodies",
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
