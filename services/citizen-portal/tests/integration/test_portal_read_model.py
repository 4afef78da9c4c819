"""Public meeting events feed the read model: pages, versions, duplicates, non-public subjects."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
APPLIED = "portal_events_applied_total"
STALE = 'portal_events_ignored_total{reason="stale"}'
REJECTED = 'portal_events_ignored_total{reason="rejected"}'


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_event_applied_page_shows_agenda_votes_and_result(
    portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await portal.wait_for_meeting(tenant, meeting.id)

    page = await portal.http.get(f"/{tenant}/sitzungen/{meeting.id}",
                                 headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert 'id="top-item-1"' in html
    assert 'id="top-item-2"' in html
    assert "Digitale Ratsarbeit" in html
    assert "Glasfaserausbau" in html
    assert 'data-result="accepted"' in html
    assert "Angenommen – Ja 6, Nein 3, Enthaltung 2" in html
    assert "Anna Becker: Ja" in html
    assert "Jonas Weber: Nein" in html
    assert "7 von 11 Stimmen abgegeben" in html
    assert "11 von 11 Mitgliedern anwesend – beschlussfähig" in html
    # 17:00 UTC on 25 Nov 2025 is 18:00 in Berlin (winter time).
    assert "Dienstag, 25. November 2025, 18:00 Uhr" in html

    town = await portal.http.get(f"/{tenant}")
    assert town.status_code == 200
    assert f"/{tenant}/sitzungen/{meeting.id}" in town.text
    start = await portal.http.get("/")
    assert f"Stadt {tenant}" in start.text
    assert f"/{tenant}/sitzungen/{meeting.id}" in start.text
    listing = (await portal.http.get(f"/api/v1/{tenant}/meetings")).json()
    assert [m["id"] for m in listing["meetings"]] == [meeting.id]


async def test_older_version_is_ignored(
    portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    stale_before = _metric((await portal.http.get("/metrics")).text, STALE)
    meeting = new_meeting(title="Neuer Titel")
    await publish(meeting, 2)
    await portal.wait_for_meeting(tenant, meeting.id)

    await publish(new_meeting(meeting.id, title="Alter Titel"), 1)
    # Events are applied in order: once the marker is in, the stale update was handled.
    marker = new_meeting()
    await publish(marker, 1)
    await portal.wait_for_meeting(tenant, marker.id)

    stored = (await portal.http.get(f"/api/v1/{tenant}/meetings/{meeting.id}")).json()
    assert stored["title"] == "Neuer Titel"
    metrics = (await portal.http.get("/metrics")).text
    assert _metric(metrics, STALE) - stale_before == 1

    newest = new_meeting(meeting.id, title="Neuester Titel")
    newest.updated_at.FromDatetime(datetime.now(UTC) + timedelta(seconds=1))
    await publish(newest, 3)
    await portal.wait_for_meeting(tenant, meeting.id, lambda m: m["title"] == "Neuester Titel")


async def test_duplicate_event_id_is_applied_once(
    portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    metrics = (await portal.http.get("/metrics")).text
    before, stale_before = _metric(metrics, APPLIED), _metric(metrics, STALE)
    meeting = new_meeting()
    event_id = await publish(meeting, 1)
    # A redelivery past JetStream's duplicate window: same event id, new message id.
    await publish(meeting, 1, event_id=event_id, msg_id=f"{event_id}-again")
    marker = new_meeting()
    await publish(marker, 1)
    await portal.wait_for_meeting(tenant, marker.id)

    metrics = (await portal.http.get("/metrics")).text
    assert _metric(metrics, APPLIED) - before == 2
    # Caught by its event id, before the version check could even see it.
    assert _metric(metrics, STALE) - stale_before == 0


async def test_events_off_the_public_subjects_never_reach_the_read_model(
    portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    rejected_before = _metric((await portal.http.get("/metrics")).text, REJECTED)
    closed = new_meeting(title="Nichtöffentliche Personalangelegenheit")
    await publish(closed, 1, subject=f"ratsraum.{tenant}.meeting.closed.meeting.updated")
    # On the public subject, but the payload names another town: rejected as well.
    foreign = new_meeting(title="Fremde Kommune")
    foreign.tenant.id = "other-town"
    await publish(foreign, 1, subject=f"ratsraum.{tenant}.meeting.public.meeting.updated")
    marker = new_meeting()
    await publish(marker, 1)
    await portal.wait_for_meeting(tenant, marker.id)

    for hidden in (closed, foreign):
        response = await portal.http.get(f"/api/v1/{tenant}/meetings/{hidden.id}")
        assert response.status_code == 404
    listing = (await portal.http.get(f"/api/v1/{tenant}/meetings")).json()
    assert [m["id"] for m in listing["meetings"]] == [marker.id]
    town = (await portal.http.get(f"/{tenant}")).text
    assert "Personalangelegenheit" not in town
    assert "Fremde Kommune" not in town
    metrics = (await portal.http.get("/metrics")).text
    assert _metric(metrics, REJECTED) - rejected_before == 1
