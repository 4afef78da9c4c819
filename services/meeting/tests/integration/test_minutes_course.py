"""The minutes of a whole session: disruption, speeches, late arrival and early leaving, lobby
admission, a cancelled vote, a void vote and its re-run, a show of hands, a roll-call vote."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pypdf
from sqlalchemy import update

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common import demo
from ratsraum_common.events import Envelope
from ratsraum_common.nats import connect
from ratsraum_meeting.attendance.models import AttendanceSpan
from ratsraum_meeting.lobby import service as lobby
from ratsraum_meeting.meetings.service import get_meeting

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
MINUTES = f"{BASE}/minutes"
O2, O3, O4 = demo.AGENDA[1], demo.AGENDA[2], demo.AGENDA[3]
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
CLERK_ID = next(p for p in demo.PEOPLE if p.username == "richter").subject
LATE, LEAVER, REMOTE, REPORTER, CONFLICTED = (MEMBERS[7], MEMBERS[5], MEMBERS[6], MEMBERS[6],
                                              MEMBERS[4])
SUBJECT = f"ratsraum.{demo.TENANT}.meeting.public.minutes.signed"


class Session:
    """The demo meeting driven through the API by its clerk and chair."""

    def __init__(self, meeting, issuer) -> None:  # type: ignore[no-untyped-def]
        self.meeting, self.issuer = meeting, issuer
        self.clerk, self.chair = issuer.person("richter"), issuer.person("schulte")

    async def call(self, verb: str, url: str, who: dict[str, str] | None = None,
                   expect: int = 200, **body: object) -> dict:  # type: ignore[type-arg]
        response = await self.meeting.client.request(
            verb, url, json=body if verb in ("POST", "PUT") else None,
            headers=who or self.clerk)
        assert response.status_code == expect, response.text
        return response.json() if response.content else {}

    async def poll(self, item: demo.DemoAgendaItem, method: str) -> str:
        opened = await self.call("POST", f"{BASE}/agenda-items/{item.id}/polls", expect=201,
                                 method=method)
        return str(opened["id"])

    async def cast(self, poll_id: str, choices: list[str]) -> None:
        for person, choice in zip(MEMBERS, choices, strict=False):
            who = {**self.issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex}
            await self.call("POST", f"/api/v1/polls/{poll_id}/ballots", who, 201, choice=choice)


async def _admit_late_member(meeting) -> None:  # type: ignore[no-untyped-def]
    """LATE waits in the lobby and is admitted by the clerk (the lobby's own service)."""
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        row, _body = await get_meeting(session, meeting_id=demo.MEETING_ID)
        await lobby.request_join(session, meeting=row, person_id=LATE.subject)
        await lobby.admit(session, meeting=row, person_id=LATE.subject, admitted_by=CLERK_ID)
        # Recorded "now" like every span; the member came 20 minutes into the session.
        await session.execute(update(AttendanceSpan).where(
            AttendanceSpan.person_id == LATE.subject).values(
            joined_at=datetime.now(UTC) + timedelta(minutes=20)))


async def _run_session(meeting, issuer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    s = Session(meeting, issuer)
    await meeting.open_and_attend(s.clerk, present=6)
    await s.call("PUT", f"{BASE}/attendance/{REMOTE.subject}", presence="remote")
    await s.call("PUT", MINUTES, started_at=datetime.now(UTC).isoformat())
    await _admit_late_member(meeting)
    speakers = f"{BASE}/agenda-items/{O3.id}/speakers"
    await s.call("POST", speakers, issuer.person("becker"), 201)
    await s.call("POST", speakers, issuer.person("yilmaz"), 201, kind="order")
    for step in ("next", "next", "end"):
        await s.call("POST", f"{speakers}/{step}", s.chair)

    polls = {"cancelled": await s.poll(O3, "open")}
    await s.call("POST", f"/api/v1/polls/{polls['cancelled']}/cancel", s.chair,
                 reason="Antrag zur Überarbeitung zurückgezogen")
    polls["void"] = await s.poll(O3, "open")
    await s.cast(polls["void"], ["yes", "no"])
    await s.call("POST", f"{BASE}/disruptions", issuer.person(REPORTER.username), 201,
                 lost="sound", note="Router im Homeoffice neu gestartet")
    # The town's sphere: the session is interrupted and the open vote becomes void; the chair
    # re-runs it after resuming.
    await s.call("POST", f"{BASE}/disruptions/decision", s.chair, 201,
                 sphere="town", reason="Videodienst der Stadt ausgefallen")
    await s.call("POST", f"{BASE}/resume", s.chair, reason="Videodienst läuft wieder")
    rerun = await s.call("POST", f"/api/v1/polls/{polls['void']}/rerun", s.chair, 201,
                         reason="Wiederholung nach der Störung")
    polls["rerun"] = rerun["id"]
    await s.cast(polls["rerun"], ["yes", "yes", "yes", "no"])
    await s.call("POST", f"/api/v1/polls/{polls['rerun']}/close")

    await s.call("POST", f"{BASE}/agenda-items/{O4.id}/conflicts",
                 issuer.person(CONFLICTED.username), 201, reason="Anbieter")
    polls["hands"] = await s.poll(O4, "open")
    await s.call("POST", f"/api/v1/polls/{polls['hands']}/show-of-hands",
                 counts={"yes": 5, "no": 2})
    polls["roll_call"] = await s.poll(O2, "roll_call")
    await s.cast(polls["roll_call"], ["yes", "no", "yes"])
    await s.call("POST", f"/api/v1/polls/{polls['roll_call']}/close")
    await s.call("PUT", f"{BASE}/attendance/{LEAVER.subject}", presence="absent")
    return polls


def _section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


async def test_the_minutes_state_the_whole_course_of_the_session(meeting, issuer) -> None:
    polls = await _run_session(meeting, issuer)
    member = issuer.person(MEMBERS[9].username)
    html = (await meeting.client.get(f"{MINUTES}/html", headers=member)).text

    present = _section(html, "Im Sitzungssaal anwesend", "Abwesend")
    assert f"{LATE.name} ({LATE.party}), anwesend ab" in present
    assert f"{LEAVER.name} ({LEAVER.party}), vorzeitig gegangen um" in present
    assert f"{MEMBERS[0].name} ({MEMBERS[0].party}) – Vorsitz</li>" in present  # on time
    assert "Anlage: Anwesenheitszeiten" in html
    admissions = html.split("Anlage: Zulassungen aus dem Warteraum")[1]
    assert LATE.name in admissions
    assert "Jana Richter" in admissions

    o3 = _section(html, f'id="top-{O3.id}"', f'id="top-{O4.id}"')
    assert "Markus Becker (Wortbeitrag)" in o3
    assert "Deniz Yilmaz (zur Geschäftsordnung)" in o3
    assert "1. Abstimmung" in o3
    assert "von der Sitzungsleitung abgebrochen" in o3
    assert "Antrag zur Überarbeitung zurückgezogen" in o3
    assert f'ungültig</span>, wiederholt als <a href="#poll-{polls["rerun"]}">3. Abstimmung' in o3
    assert "Videodienst der Stadt ausgefallen" in o3.split(f'id="poll-{polls["rerun"]}"')[0]
    assert "Wiederholung der ungültigen 2. Abstimmung" in o3
    assert "Ja: 3, Nein: 1, Enthaltung: 0" in o3
    assert all(f'id="poll-{polls[k]}"' in o3 for k in ("cancelled", "void", "rerun"))

    o4 = _section(html, f'id="top-{O4.id}"', f'id="top-{demo.AGENDA[4].id}"')
    assert "offene Abstimmung – per Handzeichen erfasst (Ersatzverfahren) – Ja: 5, Nein: 2" in o4
    assert f"Wegen Befangenheit nicht beteiligt: {CONFLICTED.name}" in o4
    o2 = _section(html, f'id="top-{O2.id}"', f'id="top-{O3.id}"')
    assert "namentliche Abstimmung – Ja: 2, Nein: 1" in o2
    assert all(f"<td>{p.name}</td>" in o2 for p in MEMBERS[:3])

    disruptions = _section(html, "Technische Störungen", "Unterschriften")
    assert f"{REPORTER.name} meldete über die App den Ausfall von Ton" in disruptions
    assert "Router im Homeoffice neu gestartet" in disruptions
    assert (f"Sitzung unterbrochen; laufende Abstimmung zu {O3.number} abgebrochen und "
            "ungültig") in disruptions
    assert "Entscheidung: Störung in der Sphäre der Kommune (1 Meldung)" in disruptions
    assert "Sitzung fortgesetzt – Videodienst läuft wieder" in disruptions
    assert "Keine Störungen erfasst." not in disruptions

    pdf = await meeting.client.get(f"{MINUTES}/pdf", headers=member)
    assert pdf.status_code == 200, pdf.text
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    for phrase in ("abgebrochen", "Wiederholung der ungültigen 2. Abstimmung",
                   "per Handzeichen erfasst", "Wortmeldungen", "Sitzung unterbrochen",
                   "Zulassungen aus dem Warteraum", "vorzeitig gegangen"):
        assert phrase in text, phrase


async def test_the_public_part_names_no_reporter_and_no_admissions(
    meeting, issuer, nats_url
) -> None:
    await _run_session(meeting, issuer)
    nc = await connect(nats_url, name="test-minutes-course")
    try:
        sub = await nc.subscribe(SUBJECT)
        await meeting.client.post(f"{MINUTES}/sign", json={"role": "chair"},
                                  headers=issuer.person("schulte"))
        sealed = await meeting.client.post(f"{MINUTES}/sign", json={"role": "clerk"},
                                           headers=issuer.person("richter"))
        assert sealed.json()["status"] == "signed", sealed.text
        event = Envelope.from_json((await sub.next_msg(timeout=10)).data).payload(
            public_pb2.PublicMinutesSigned)
    finally:
        await nc.close()
    public = event.public_html
    assert "Ein Mitglied meldete über die App den Ausfall von Ton" in public
    assert "Router im Homeoffice" not in public
    assert "Zulassungen aus dem Warteraum" not in public
    assert "von der Sitzungsleitung abgebrochen" in public
    o3 = next(i for i in event.items if i.id == O3.id)
    # Structured results carry counted votes only; the cancelled and the void poll are told
    # in the public HTML.
    assert [(r.yes, r.no) for r in o3.results] == [(3, 1)]
    o4 = next(i for i in event.items if i.id == O4.id)
    assert o4.results[0].show_of_hands
    assert list(o4.conflicted_names) == [CONFLICTED.name]
