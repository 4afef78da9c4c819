"""Calendar feeds per town and per council body: one event per public meeting, a UID that
stays, and SEQUENCE/LAST-MODIFIED that grow when meeting publishes a change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
COUNCIL = "Rat der Stadt"
COMMITTEE = "Ausschuss für Umwelt und Grün"


async def _feed(portal: Portal, path: str) -> Calendar:
    response = await portal.http.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar) -> dict[str, Any]:
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


async def test_town_and_body_feeds_follow_the_public_meetings(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    council = new_meeting(body_name=COUNCIL, title="12. Ratssitzung", status="scheduled")
    committee = new_meeting(body_name=COMMITTEE, title="4. Sitzung Umwelt", status="scheduled")
    await publish(council, 1)
    await publish(committee, 1)
    await sqlite_portal.wait_for_meeting(tenant, committee.id)

    town = await _feed(sqlite_portal, f"/kalender/{tenant}.ics")
    events = _events(town)
    assert len(events) == 2
    first = events[f"oeffentlich-{tenant}-{council.id}@ratsraum"]
    assert str(first["summary"]) == f"12. Ratssitzung ({COUNCIL})"
    assert first.decoded("dtstart") == datetime(2025, 11, 25, 17, tzinfo=UTC)
    assert str(first["location"]) == "Rathaus, Sitzungssaal"
    assert str(first["url"]).endswith(f"/{tenant}/sitzungen/{council.id}")
    assert int(first["sequence"]) == 1

    slug = "ausschuss-fuer-umwelt-und-gruen"
    body = _events(await _feed(sqlite_portal, f"/kalender/{tenant}/{slug}.ics"))
    assert list(body) == [f"oeffentlich-{tenant}-{committee.id}@ratsraum"]

    moved = new_meeting(council.id, body_name=COUNCIL, title="12. Ratssitzung",
                        status="scheduled")
    moved.starts_at.FromDatetime(datetime(2025, 12, 2, 17, tzinfo=UTC))
    await publish(moved, 2)
    await sqlite_portal.wait_for_meeting(
        tenant, council.id, lambda m: m["starts_at"].startswith("2025-12-02"))
    again = _events(await _feed(sqlite_portal, f"/kalender/{tenant}.ics"))
    update = again[f"oeffentlich-{tenant}-{council.id}@ratsraum"]
    assert update.decoded("dtstart") == datetime(2025, 12, 2, 17, tzinfo=UTC)
    assert int(update["sequence"]) > int(first["sequence"])
    assert update.decoded("last-modified") >= first.decoded("last-modified")


async def test_unknown_feeds_are_problems_not_errors(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    for path in (f"/kalender/{tenant}", f"/kalender/{tenant}/niemand.ics",
                 "/kalender/niemandsland.ics"):
        response = await sqlite_portal.http.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
