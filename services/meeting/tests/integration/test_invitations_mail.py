"""Invitations through a real local SMTP server: what each member receives, and the record."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import icalendar
import pytest
from aiosmtpd.controller import Controller

from ratsraum_common import demo
from ratsraum_meeting.invitations.tokens import find_invitation, hash_token
from ratsraum_meeting.meetings.models import Person
from ratsraum_meeting.video.fakes.jitsi import FakeJitsi
from ratsraum_meeting.video.fakes.server import serve

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
URL = f"{BASE}/invitations"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]
WITHOUT_ADDRESS = "braun"
CLOSED = [i for i in demo.AGENDA if not i.public]
PUBLIC = [i for i in demo.AGENDA if i.public]


class Inbox:
    """aiosmtpd handler that keeps every accepted message with its envelope recipients."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def take(self) -> list[tuple[list[str], EmailMessage]]:
        """The messages so far, emptying the inbox."""
        taken, self.received = self.received, []
        return taken


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free local port."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
async def mailing(meeting, smtp):  # type: ignore[no-untyped-def]
    """The meeting app sending through the local SMTP server; all but one member have email."""
    inbox, port = smtp
    app = meeting.app
    app.state.settings = app.state.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none",
        "public_app_url": "https://ratsraum.soest.example"})
    async with app.state.db.transaction(demo.TENANT) as session:
        row = await session.get(Person, {"tenant_id": demo.TENANT, "id": next(
            p.subject for p in demo.PEOPLE if p.username == WITHOUT_ADDRESS)})
        assert row is not None
        assert row.email == f"{WITHOUT_ADDRESS}@soest.example"  # the demo seeds addresses
        row.email = None
    return meeting, inbox


def _calendar(message: EmailMessage) -> icalendar.Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


def _event(cal: icalendar.Calendar) -> icalendar.Event:
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


async def test_each_member_gets_their_own_german_invitation(mailing, issuer) -> None:
    meeting, inbox = mailing
    clerk = issuer.person("richter")
    response = await meeting.client.post(URL, headers=clerk)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["kind"], answer["sequence"]) == ("invitation", 0)
    assert (answer["sent"], answer["no_address"], answer["failed"]) == (len(MEMBERS) - 1, 1, 0)
    received = inbox.take()
    assert len(received) == len(MEMBERS) - 1
    tokens = set()
    for recipients, message in received:
        # One recipient per mail, and the headers name only them (NRW DigiSiVO § 2).
        assert len(recipients) == 1
        assert message["To"].addresses[0].addr_spec == recipients[0]
        assert message["Cc"] is None
        assert message["Bcc"] is None
        assert message["Subject"].startswith(f"Einladung: {demo.MEETING_TITLE} am ")
        text = _text(message)
        person = next(p for p in MEMBERS if f"{p.username}@" in recipients[0])
        assert f"Guten Tag {person.name}," in text
        assert "Öffentlicher Teil" in text
        assert "Nichtöffentlicher Teil" in text
        assert all(i.title in text for i in demo.AGENDA)
        assert "/unterlagen" in text
        link = next(w for w in text.split() if "einladung=" in w)
        assert link.startswith(f"https://ratsraum.soest.example/sitzungen/{demo.MEETING_ID}?")
        token = parse_qs(urlparse(link).query)["einladung"][0]
        tokens.add(token)
        event = _event(cal := _calendar(message))
        assert str(cal["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"sitzung-{demo.MEETING_ID}@ratsraum"
        assert int(event["SEQUENCE"]) == 0
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTART").utcoffset() is not None
        assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
        assert str(event["LOCATION"]) == demo.LOCATION
        description = str(event["DESCRIPTION"])
        assert all(i.title in description for i in PUBLIC)
        # The closed part's titles stay in the mail; calendars get synced to outside services.
        assert not any(i.title in description for i in CLOSED)
        attendees = event["ATTENDEE"]
        assert str(attendees).lower() == f"mailto:{recipients[0]}"
        assert token not in cal.to_ical().decode()
    assert len(tokens) == len(MEMBERS) - 1

    # The record: who, which address, when, by whom; tokens only as hashes.
    listed = (await meeting.client.get(URL, headers=clerk)).json()
    assert len(listed) == len(MEMBERS)
    missing = next(d for d in listed if d["status"] == "no_address")
    assert missing["person_id"] == next(p.subject for p in MEMBERS
                                        if p.username == WITHOUT_ADDRESS)
    assert all(d["sent_at"] and d["sent_by"] for d in listed if d["status"] == "sent")
    assert not any(t in str(listed) for t in tokens)
    token = tokens.pop()
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        found = await find_invitation(session, meeting_id=demo.MEETING_ID, token=token)
        assert found is not None
        assert found.token_hash == hash_token(token)
        assert await find_invitation(session, meeting_id=demo.MEETING_ID, token="x" * 43) is None


async def test_update_and_cancellation_reuse_the_uid(mailing, issuer) -> None:
    meeting, inbox = mailing
    clerk = issuer.person("richter")
    assert (await meeting.client.post(URL, headers=clerk)).status_code == 200
    first = inbox.take()
    # A re-send to one member keeps the SEQUENCE.
    one = MEMBERS[1]
    again = await meeting.client.post(URL, json={"kind": "invitation",
                                                 "person_ids": [one.subject]}, headers=clerk)
    assert again.status_code == 200
    assert (again.json()["sequence"], again.json()["sent"]) == (0, 1)
    [(recipients, _msg)] = inbox.take()
    assert recipients == [f"{one.username}@soest.example"]

    update = await meeting.client.post(URL, json={"kind": "update"}, headers=clerk)
    assert (update.json()["kind"], update.json()["sequence"]) == ("update", 1)
    updated = inbox.take()
    assert len(updated) == len(first)
    _rcpt, message = updated[0]
    assert message["Subject"].startswith("Geänderte Einladung: ")
    assert "geändert" in _text(message)
    event = _event(cal := _calendar(message))
    assert (str(cal["METHOD"]), int(event["SEQUENCE"])) == ("REQUEST", 1)
    assert str(event["UID"]) == f"sitzung-{demo.MEETING_ID}@ratsraum"

    cancel = await meeting.client.post(URL, json={"kind": "cancellation"}, headers=clerk)
    assert (cancel.json()["kind"], cancel.json()["sequence"]) == ("cancellation", 2)
    _rcpt, message = inbox.take()[0]
    assert message["Subject"].startswith("Absage: ")
    assert "abgesagt" in _text(message)
    assert "einladung=" not in _text(message)
    event = _event(cal := _calendar(message))
    assert (str(cal["METHOD"]), int(event["SEQUENCE"])) == ("CANCEL", 2)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"sitzung-{demo.MEETING_ID}@ratsraum"

    after = await meeting.client.post(URL, headers=clerk)
    assert after.status_code == 409
    assert after.headers["content-type"] == "application/problem+json"
    assert "abgesagt" in after.json()["detail"]
    assert inbox.take() == []


async def test_refusals(mailing, issuer) -> None:
    meeting, inbox = mailing
    clerk = issuer.person("richter")
    member = issuer.person(MEMBERS[2].username)
    assert (await meeting.client.post(URL, headers=member)).status_code == 403
    assert (await meeting.client.get(URL, headers=member)).status_code == 403
    early = await meeting.client.post(URL, json={"kind": "update"}, headers=clerk)
    assert early.status_code == 409
    assert "noch keine Einladung" in early.json()["detail"]
    stranger = await meeting.client.post(URL, json={"person_ids": ["nobody"]}, headers=clerk)
    assert stranger.status_code == 422
    other_town = issuer.person("richter", tenant="werl")
    assert (await meeting.client.post(URL, headers=other_town)).status_code == 404
    assert (await meeting.client.get(URL, headers=other_town)).status_code == 404
    settings = meeting.app.state.settings
    meeting.app.state.settings = settings.model_copy(update={"smtp_host": ""})
    off = await meeting.client.post(URL, headers=clerk)
    assert off.status_code == 503
    assert "MEETING_SMTP_HOST" in off.json()["detail"]
    meeting.app.state.settings = settings.model_copy(update={"smtp_port": _free_port()})
    down = await meeting.client.post(URL, headers=clerk)
    assert down.status_code == 200
    assert (down.json()["sent"], down.json()["failed"]) == (0, len(MEMBERS) - 1)
    assert all(d["error"] for d in down.json()["deliveries"] if d["status"] == "failed")
    assert inbox.take() == []


def _token_of(received: list[tuple[list[str], EmailMessage]], username: str) -> str:
    """The token in the personal link of the mail sent to this member."""
    _rcpt, message = next(r for r in received if r[0] == [f"{username}@soest.example"])
    link = next(w for w in _text(message).split() if "einladung=" in w)
    return parse_qs(urlparse(link).query)["einladung"][0]


async def test_the_personal_link_leads_the_logged_in_member_to_join(
        mailing, issuer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    meeting, inbox = mailing
    clerk, becker = issuer.person("richter"), issuer.person("becker")
    link_url = f"{BASE}/invitation-link"
    assert (await meeting.client.post(URL, headers=clerk)).status_code == 200
    token = _token_of(inbox.take(), "becker")
    fake = FakeJitsi(app_id="ratsraum", app_secret="jitsi-secret-for-the-invitation-link")
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_JITSI", fake.app_secret)
    async with serve(fake.app) as base:
        configured = await meeting.client.put("/api/v1/video/config",
                                              headers=issuer.person("lange"), json={
            "provider": "jitsi", "options": {"base_url": base, "app_id": "ratsraum"},
            "secret_env": {"app_secret": "RATSRAUM_VIDEO_SOEST_JITSI"}})
        assert configured.status_code == 200, configured.text
        assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
        # The token identifies the invitation, not a session: without a login it opens nothing.
        anonymous = await meeting.client.post(link_url, json={"token": token})
        assert anonymous.status_code == 401
        followed = await meeting.client.post(link_url, json={"token": token}, headers=becker)
        assert followed.status_code == 200, followed.text
        entry = followed.json()
        assert (entry["person_id"], entry["title"]) == (MEMBERS[1].subject, demo.MEETING_TITLE)
        assert entry["join"] == f"{BASE}/join"
        joined = await meeting.client.get(entry["join"], headers=becker)
        assert joined.status_code == 200, joined.text
        assert (joined.json()["provider"], joined.json()["personal"]) == ("jitsi", True)
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(joined.json()["url"])).status_code == 200
    someone_else = await meeting.client.post(link_url, json={"token": token},
                                             headers=issuer.person("hoffmann"))
    assert someone_else.status_code == 403
    assert "andere Person" in someone_else.json()["detail"]
    forged = await meeting.client.post(link_url, json={"token": "x" * 43}, headers=becker)
    assert forged.status_code == 404
    assert forged.headers["content-type"] == "application/problem+json"
    other_town = await meeting.client.post(link_url, json={"token": token},
                                           headers=issuer.person("becker", tenant="werl"))
    assert other_town.status_code == 404

    # A later mail to the member replaces the link; only the newest one works.
    again = await meeting.client.post(URL, json={"kind": "update"}, headers=clerk)
    assert again.status_code == 200
    newer = _token_of(inbox.take(), "becker")
    stale = await meeting.client.post(link_url, json={"token": token}, headers=becker)
    assert stale.status_code == 410
    assert "spätere Einladung" in stale.json()["detail"]
    assert (await meeting.client.post(link_url, json={"token": newer},
                                      headers=becker)).status_code == 200
    await meeting.client.post(URL, json={"kind": "cancellation"}, headers=clerk)
    cancelled = await meeting.client.post(link_url, json={"token": newer}, headers=becker)
    assert cancelled.status_code == 410
    assert "abgesagt" in cancelled.json()["detail"]


async def test_line_breaks_in_titles_and_names_do_not_break_the_round(mailing, issuer) -> None:
    meeting, inbox = mailing
    from ratsraum_meeting.meetings.models import Meeting

    victim = MEMBERS[0] if MEMBERS[0].username != WITHOUT_ADDRESS else MEMBERS[1]
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        row = await session.get(Meeting, demo.MEETING_ID)
        assert row is not None
        row.title = "Sondersitzung\r\nHaushalt"
        person = await session.get(Person, {"tenant_id": demo.TENANT, "id": victim.subject})
        assert person is not None
        person.name = "Anna\nBcc: mallory@evil.example"
    response = await meeting.client.post(URL, headers=issuer.person("richter"))
    assert response.status_code == 200, response.text
    assert (response.json()["sent"], response.json()["failed"]) == (len(MEMBERS) - 1, 0)
    received = inbox.take()
    assert len(received) == len(MEMBERS) - 1
    for recipients, message in received:
        assert len(recipients) == 1
        assert message["Subject"].startswith("Einladung: Sondersitzung Haushalt am ")
        assert message["Bcc"] is None
        summary = str(_event(_calendar(message))["SUMMARY"])
        assert summary.startswith("Sondersitzung Haushalt (")
    to_victim = next(m for r, m in received if r[0].startswith(f"{victim.username}@"))
    assert to_victim["To"].addresses[0].display_name == "Anna Bcc: mallory@evil.example"
    attendee = _event(_calendar(to_victim))["ATTENDEE"]
    assert attendee.params["CN"] == "Anna Bcc: mallory@evil.example"


async def test_one_unusable_address_fails_only_that_members_mail(mailing, issuer) -> None:
    meeting, inbox = mailing
    broken = next(p for p in MEMBERS if p.username != WITHOUT_ADDRESS)
    async with meeting.app.state.db.transaction(demo.TENANT) as session:
        person = await session.get(Person, {"tenant_id": demo.TENANT, "id": broken.subject})
        assert person is not None
        person.email = "kaputt@soest.example\r\nBcc: mallory@evil.example"  # e.g. imported
    response = await meeting.client.post(URL, headers=issuer.person("richter"))
    assert response.status_code == 200, response.text
    assert (response.json()["sent"], response.json()["failed"]) == (len(MEMBERS) - 2, 1)
    received = inbox.take()
    assert len(received) == len(MEMBERS) - 2
    assert all(m["Bcc"] is None and "evil" not in r[0] for r, m in received)
    listed = (await meeting.client.get(URL, headers=issuer.person("richter"))).json()
    failed = next(d for d in listed if d["status"] == "failed")
    assert failed["person_id"] == broken.subject
