"""Signed minutes from meeting's event: stored once, shown on the meeting page, served byte for
byte with their hash, and published in OParl as the meeting's resultsProtocol."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema

from ratsraum.meeting.v1 import public_pb2
from ratsraum_devstack.paths import shared_dir

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
HTML = {"Accept": "text/html"}
DECISION = "Der Ausschuss beschließt die Einführung der digitalen Ratsarbeit."
APPLIED = "portal_events_applied_total"
STALE = 'portal_events_ignored_total{reason="stale"}'
REJECTED = 'portal_events_ignored_total{reason="rejected"}'


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (shared_dir() / "oparl" / "schema" / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def _minutes(
    meeting: public_pb2.PublicMeeting, *, version: str = "1"
) -> public_pb2.PublicMinutesSigned:
    html = ("<!DOCTYPE html><html lang=\"de\"><body><h1>Niederschrift</h1>"
            f"<p>Öffentlicher Teil, Fassung {version}</p><p>{DECISION}</p></body></html>")
    minutes = public_pb2.PublicMinutesSigned(
        tenant=meeting.tenant, meeting_id=meeting.id, body_name=meeting.body_name,
        title=meeting.title, location=meeting.location, chair_name="Anna Schulte",
        clerk_name="Jana Richter", public_html=html,
        public_html_sha256=hashlib.sha256(html.encode()).hexdigest(),
        minutes_sha256=hashlib.sha256(f"vollständig {version}".encode()).hexdigest(),
    )
    minutes.signed_at.FromDatetime(datetime(2025, 11, 26, 9, 30, tzinfo=UTC))
    item = minutes.items.add(id="item-1", number="Ö 1", position=1, title="Digitale Ratsarbeit",
                             decision=DECISION, conflicted_names=["Carla Conrad"])
    item.results.add(poll_id="poll-1", method="open", outcome="accepted", yes=7, no=2,
                     show_of_hands=True)
    return minutes


async def _wait_for_minutes(portal: Portal, tenant: str, meeting_id: str) -> str:
    for _ in range(200):
        page = await portal.http.get(f"/{tenant}/sitzungen/{meeting_id}", headers=HTML)
        if "Niederschrift (öffentlicher Teil)" in page.text:
            return page.text
        await asyncio.sleep(0.05)
    raise AssertionError("minutes did not arrive")


async def test_signed_minutes_appear_on_the_page_with_their_hash(
    portal: Portal, publish: Any, publish_minutes: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting(status="closed")
    await publish(meeting, 1)
    await portal.wait_for_meeting(tenant, meeting.id)
    before = await portal.http.get(f"/{tenant}/sitzungen/{meeting.id}/niederschrift")
    assert before.status_code == 404
    assert before.headers["content-type"] == "application/problem+json"
    minutes = _minutes(meeting)
    await publish_minutes(minutes)
    page = await _wait_for_minutes(portal, tenant, meeting.id)

    section = page.split('id="minutes"')[1]
    assert "Unterzeichnet am Mittwoch, 26. November 2025, 10:30 Uhr" in section
    assert "Anna Schulte (Vorsitz)" in section
    assert "Jana Richter (Schriftführung)" in section
    assert f"<strong>Beschluss:</strong> {DECISION}" in section
    assert "Angenommen – Ja 7, Nein 2, Enthaltung 0" in section
    assert "per Handzeichen festgestellt" in section
    assert "Wegen Befangenheit nicht beteiligt: Carla Conrad" in section
    assert minutes.public_html_sha256 in section
    assert minutes.minutes_sha256 in section
    assert "Sitzung beendet" in page
    assert "beschlussfähig" not in page

    document = await portal.http.get(f"/{tenant}/sitzungen/{meeting.id}/niederschrift")
    assert document.status_code == 200
    assert document.headers["content-type"] == "text/html; charset=utf-8"
    assert hashlib.sha256(document.content).hexdigest() == minutes.public_html_sha256
    assert document.headers["x-content-sha256"] == minutes.public_html_sha256
    assert "default-src 'none'" in document.headers["content-security-policy"]
    download = await portal.http.get(
        f"/{tenant}/sitzungen/{meeting.id}/niederschrift?download=1")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content == document.content


async def test_minutes_are_stored_once_and_never_replaced_or_tampered_with(
    portal: Portal, publish: Any, publish_minutes: Any, new_meeting: Any, tenant: str
) -> None:
    meeting, other = new_meeting(status="closed"), new_meeting(status="closed")
    for m in (meeting, other):
        await publish(m, 1)
    await portal.wait_for_meeting(tenant, other.id)
    metrics = (await portal.http.get("/metrics")).text
    stale, rejected = _metric(metrics, STALE), _metric(metrics, REJECTED)
    first = _minutes(meeting)
    await publish_minutes(first)
    await _wait_for_minutes(portal, tenant, meeting.id)

    await publish_minutes(first)  # meeting's relay sent it again, under a new event id
    await publish_minutes(_minutes(meeting, version="2"))  # a second "signed" version
    tampered = _minutes(other)
    tampered.public_html = tampered.public_html.replace("Fassung 1", "Fassung X")
    await publish_minutes(tampered)
    marker = new_meeting(title="Marker")
    await publish(marker, 1)  # events are applied in order: after the marker, all are in
    await portal.wait_for_meeting(tenant, marker.id)

    metrics = (await portal.http.get("/metrics")).text
    assert _metric(metrics, STALE) - stale == 1
    assert _metric(metrics, REJECTED) - rejected == 2
    document = await portal.http.get(f"/{tenant}/sitzungen/{meeting.id}/niederschrift")
    assert hashlib.sha256(document.content).hexdigest() == first.public_html_sha256
    missing = await portal.http.get(f"/{tenant}/sitzungen/{other.id}/niederschrift")
    assert missing.status_code == 404


async def test_oparl_meeting_carries_the_minutes_as_results_protocol(
    portal: Portal, publish: Any, publish_minutes: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting(status="closed")
    await publish(meeting, 1)
    await portal.wait_for_meeting(tenant, meeting.id)
    url = f"/oparl/v1/{tenant}/meetings/{meeting.id}"
    without = (await portal.http.get(url)).json()
    jsonschema.validate(without, _schema("Meeting"))
    assert "resultsProtocol" not in without
    assert without["meetingState"] == "eingeladen"  # ended, but no minutes released yet
    no_file = await portal.http.get(f"/oparl/v1/{tenant}/files/minutes-{meeting.id}",
                                    headers=HTML)
    assert no_file.status_code == 404
    assert no_file.headers["content-type"] == "application/problem+json"

    await publish_minutes(_minutes(meeting))
    await _wait_for_minutes(portal, tenant, meeting.id)
    body = (await portal.http.get(url)).json()
    jsonschema.validate(body, _schema("Meeting"))
    assert body["type"] == "https://schema.oparl.org/1.1/Meeting"
    assert body["id"] == f"{portal.url}{url}"
    assert body["meetingState"] == "durchgeführt"
    assert "verbatimProtocol" not in body  # a results protocol, not a word-for-word one
    items = body["agendaItem"]
    for item in items:
        jsonschema.validate(item, _schema("AgendaItem"))
    assert items[0]["resolutionText"] == DECISION
    protocol = body["resultsProtocol"]
    jsonschema.validate(protocol, _schema("File"))
    assert protocol["type"] == "https://schema.oparl.org/1.1/File"
    assert protocol["mimeType"] == "text/html"
    assert "meeting" not in protocol  # embedded: OParl leaves the back-reference out
    document = await portal.http.get(protocol["accessUrl"].removeprefix(portal.url))
    assert hashlib.sha512(document.content).hexdigest() == protocol["sha512Checksum"]
    assert protocol["size"] == len(document.content)
    standalone = (await portal.http.get(protocol["id"].removeprefix(portal.url))).json()
    assert standalone == {**protocol, "meeting": [body["id"]]}


async def test_signed_minutes_change_the_meetings_oparl_modified_time(
    portal: Portal, publish: Any, publish_minutes: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting(status="closed")
    await publish(meeting, 1)
    await portal.wait_for_meeting(tenant, meeting.id)
    url = f"/oparl/v1/{tenant}/meetings/{meeting.id}"
    before = (await portal.http.get(url)).json()["modified"]
    later = (datetime.fromisoformat(before) + timedelta(microseconds=1)).isoformat()
    listing = f"/oparl/v1/{tenant}/meetings"

    async def synced_since(since: str) -> list[str]:
        page = (await portal.http.get(listing, params={"modified_since": since})).json()
        return [m["id"] for m in page["data"]]

    assert f"{portal.url}{url}" not in await synced_since(later)  # nothing new yet

    await publish_minutes(_minutes(meeting))
    await _wait_for_minutes(portal, tenant, meeting.id)
    after = (await portal.http.get(url)).json()
    assert "resultsProtocol" in after
    assert datetime.fromisoformat(after["modified"]) > datetime.fromisoformat(before)
    # A client syncing since its last visit learns of the minutes.
    assert f"{portal.url}{url}" in await synced_since(later)
