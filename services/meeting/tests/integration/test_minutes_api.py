"""The minutes of a meeting with a decided roll-call vote: draft, PDF, signatures, public event."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import UTC, datetime

import pypdf

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common import demo
from ratsraum_common.events import Envelope
from ratsraum_common.nats import connect

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
MINUTES = f"{BASE}/minutes"
ITEM = demo.AGENDA[2]  # Ö 3, public and votable
CLOSED_ITEM = demo.AGENDA[6]  # N 1
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
DECISION = "Das Portal wird eingeführt."
SECRET_NOTE = "Angebot der Firma X liegt bei 1,2 Mio. Euro."
REASON = "entschuldigt (Urlaub)"
SUBJECT = f"ratsraum.{demo.TENANT}.meeting.public.minutes.signed"


async def _decided_meeting(meeting, issuer) -> None:
    """Open, attend (6 in the room, 1 remote), a roll-call vote 2:1 on Ö 3, and clerk texts."""
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=6)
    remote = await meeting.client.put(f"{BASE}/attendance/{MEMBERS[6].subject}",
                                      json={"presence": "remote"}, headers=clerk)
    assert remote.status_code == 200, remote.text
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "roll_call"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = opened.json()["id"]
    for person, choice in zip(MEMBERS[:3], ("yes", "yes", "no"), strict=True):
        cast = await meeting.client.post(
            f"/api/v1/polls/{poll_id}/ballots", json={"choice": choice},
            headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
        assert cast.status_code == 201, cast.text
    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    for url, body in (
        (f"{MINUTES}/items/{ITEM.id}", {"decision": DECISION}),
        (f"{MINUTES}/items/{CLOSED_ITEM.id}", {"notes": SECRET_NOTE}),
        (f"{MINUTES}/absences/{MEMBERS[10].subject}", {"reason": REASON}),
        (MINUTES, {"started_at": datetime(2026, 5, 12, 15, 2, tzinfo=UTC).isoformat()}),
    ):
        response = await meeting.client.put(url, json=body, headers=clerk)
        assert response.status_code == 200, response.text


async def test_the_draft_states_everything_the_law_asks(meeting, issuer) -> None:
    await _decided_meeting(meeting, issuer)
    member = issuer.person(MEMBERS[4].username)
    response = await meeting.client.get(f"{MINUTES}/html", headers=member)
    assert response.status_code == 200
    html = response.text
    assert "ENTWURF" in html
    for heading in ("Sitzungsdaten", "Datum", "Ort", "Beginn", "Ende", "Teilnehmende",
                    "Im Sitzungssaal anwesend", "Digital zugeschaltet", "Abwesend",
                    "Tagesordnung", "Verlauf, Beschlüsse und Abstimmungen",
                    "Technische Störungen", "Unterschriften", "Vorsitz", "Schriftführung"):
        assert heading in html, heading
    assert demo.LOCATION in html
    assert "12.05.2026, 17:02 Uhr" in html  # the recorded start, in Berlin time
    assert f"{MEMBERS[6].name} ({MEMBERS[6].party})" in html.split("Digital zugeschaltet")[1]
    assert f"{MEMBERS[10].name} ({MEMBERS[10].party}) – {REASON}" in html
    assert all(i.title in html for i in demo.AGENDA)
    assert f"Beschluss:</span> {DECISION}" in html
    assert "namentliche Abstimmung – Ja: 2, Nein: 1, Enthaltung: 0" in html
    assert "angenommen" in html
    assert all(p.name in html.split("namentliche Abstimmung")[1] for p in MEMBERS[:3])
    assert "Keine Störungen erfasst." in html

    pdf = await meeting.client.get(f"{MINUTES}/pdf", headers=member)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert DECISION in text
    assert "Niederschrift" in text
    assert "Ja: 2, Nein: 1" in text


async def test_signing_seals_hashes_and_publishes_the_public_part(
    meeting, issuer, nats_url
) -> None:
    await _decided_meeting(meeting, issuer)
    chair, clerk = issuer.person("schulte"), issuer.person("richter")
    member = issuer.person(MEMBERS[3].username)
    nc = await connect(nats_url, name="test-minutes-portal")
    try:
        sub = await nc.subscribe(SUBJECT)
        assert (await meeting.client.post(f"{MINUTES}/sign", json={"role": "chair"},
                                          headers=member)).status_code == 403
        wrong_role = await meeting.client.post(f"{MINUTES}/sign", json={"role": "chair"},
                                               headers=clerk)
        assert wrong_role.status_code == 403
        first = await meeting.client.post(f"{MINUTES}/sign", json={"role": "chair"},
                                          headers=chair)
        assert first.status_code == 200
        assert (first.json()["status"], first.json()["sha256"]) == ("draft", None)
        twice = await meeting.client.post(f"{MINUTES}/sign", json={"role": "chair"},
                                          headers=chair)
        assert twice.status_code == 409
        assert twice.headers["content-type"] == "application/problem+json"
        sealed = await meeting.client.post(f"{MINUTES}/sign", json={"role": "clerk"},
                                           headers=clerk)
        assert sealed.status_code == 200
        body = sealed.json()
        assert body["status"] == "signed"
        assert [s["name"] for s in body["signatures"]] == [MEMBERS[0].name, "Jana Richter"]

        html = await meeting.client.get(f"{MINUTES}/html", headers=member)
        digest = hashlib.sha256(html.content).hexdigest()
        assert body["sha256"] == digest == html.headers["x-content-sha256"]
        assert "ENTWURF" not in html.text
        assert "elektronisch unterzeichnet" in html.text
        pdf = await meeting.client.get(f"{MINUTES}/pdf", headers=member)
        assert pdf.content.startswith(b"%PDF")
        assert pdf.headers["x-content-sha256"] == digest

        for url, payload in ((f"{MINUTES}/items/{ITEM.id}", {"decision": "anders"}),
                             (MINUTES, {"general": "Nachtrag"})):
            late = await meeting.client.put(url, json=payload, headers=clerk)
            assert late.status_code == 409
            assert "unterzeichnet" in late.json()["detail"]
        again = await meeting.client.post(f"{MINUTES}/sign", json={"role": "clerk"},
                                          headers=clerk)
        assert again.status_code == 409
        unchanged = await meeting.client.get(f"{MINUTES}/html", headers=member)
        assert unchanged.content == html.content

        msg = await sub.next_msg(timeout=10)
        raw = msg.data.decode()
        event = Envelope.from_json(msg.data).payload(public_pb2.PublicMinutesSigned)
    finally:
        await nc.close()
    assert event.meeting_id == demo.MEETING_ID
    assert event.minutes_sha256 == digest
    assert [i.number for i in event.items] == [i.number for i in demo.AGENDA if i.public]
    decided = next(i for i in event.items if i.id == ITEM.id)
    assert decided.decision == DECISION
    assert (decided.results[0].yes, decided.results[0].no) == (2, 1)
    assert len(decided.results[0].named_votes) == 3
    assert event.public_html_sha256 == hashlib.sha256(event.public_html.encode()).hexdigest()
    # Nothing of the closed part, and no absence reasons, reach the public.
    for secret in (*(i.title for i in demo.AGENDA if not i.public), SECRET_NOTE, REASON):
        assert secret not in raw


async def test_an_edit_withdraws_a_partial_signature(meeting, issuer) -> None:
    chair, clerk = issuer.person("schulte"), issuer.person("richter")
    assert (await meeting.client.post(f"{MINUTES}/sign", json={"role": "chair"},
                                      headers=chair)).status_code == 200
    edited = await meeting.client.put(f"{MINUTES}/items/{ITEM.id}", json={"notes": "Ergänzt"},
                                      headers=clerk)
    assert edited.status_code == 200
    assert all(s["signed_at"] is None for s in edited.json()["signatures"])
    assert (await meeting.client.put(f"{MINUTES}/items/{ITEM.id}", json={"notes": "x"},
                                     headers=chair)).status_code == 403
    other_town = issuer.person("richter", tenant="werl")
    assert (await meeting.client.get(f"{MINUTES}/html", headers=other_town)).status_code == 404
