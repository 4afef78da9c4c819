"""Citizens' links through a real local SMTP server and fake Jitsi and Webex: the double
opt-in, the guest join, the limits, the clerk's revocation, the closed-part cut-off (guests put
out of the provider's room where it allows) and the erasure."""

from __future__ import annotations

import asyncio
import base64
import email
import json
import socket
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from urllib.parse import parse_qs, urlparse, urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller

from ratsraum_common import demo
from ratsraum_meeting.citizen_links import removal
from ratsraum_meeting.citizen_links.models import CitizenLink
from ratsraum_meeting.jobs.citizen_erasure import erase_once
from ratsraum_meeting.publish.snapshot import load_public_meeting
from ratsraum_meeting.video.fakes.jitsi import FakeJitsi
from ratsraum_meeting.video.fakes.server import serve
from ratsraum_meeting.video.fakes.webex import FakeWebex
from ratsraum_meeting.video.webex_spec import load_spec

PUBLIC = f"/api/v1/citizen-links/{demo.TENANT}/{demo.MEETING_ID}"
STAFF = f"/api/v1/meetings/{demo.MEETING_ID}"
CLOSED_ITEM, SECOND_CLOSED = (i for i in demo.AGENDA if not i.public)
PORTAL = "https://buergerportal.soest.example"


class Inbox:
    """aiosmtpd handler keeping every accepted message."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def token_in_last(self, leaf: str) -> str:
        """The token of the portal link in the newest mail, checking it leads to `leaf`."""
        body = self.received[-1].get_body(("plain",))
        assert body is not None
        url = next(w for w in body.get_content().split() if w.startswith(PORTAL))
        parts = urlparse(url)
        assert parts.path == f"/{demo.TENANT}/sitzungen/{demo.MEETING_ID}/{leaf}"
        return parse_qs(parts.query)["token"][0]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free local port."""
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
async def town(meeting, issuer, smtp, monkeypatch) -> AsyncIterator[tuple[Any, Inbox]]:  # type: ignore[no-untyped-def]
    """Meeting mailing through the local SMTP server, with a fake Jitsi as the town's video."""
    inbox, port = smtp
    app = meeting.app
    app.state.settings = app.state.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none",
        "public_portal_url": PORTAL, "citizen_links_per_address": 2,
        "citizen_links_per_network": 4})
    fake = FakeJitsi(app_id="ratsraum", app_secret="jitsi-secret-for-the-citizen-test-0123")
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_JITSI", fake.app_secret)
    async with serve(fake.app) as base:
        answer = await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"),
                                          json={"provider": "jitsi",
                                                "options": {"base_url": base, "app_id": "ratsraum"},
                                                "secret_env": {"app_secret":
                                                               "RATSRAUM_VIDEO_SOEST_JITSI"}})
        assert answer.status_code == 200, answer.text
        yield meeting, inbox


async def _linked(meeting, inbox: Inbox, address: str = "anna@example.org") -> str:  # type: ignore[no-untyped-def]
    asked = await meeting.client.post(PUBLIC, json={"email": address})
    assert asked.status_code == 202, asked.text
    confirmed = await meeting.client.post(f"{PUBLIC}/confirm",
                                          json={"token": inbox.token_in_last("zugang/bestaetigen")})
    assert confirmed.status_code == 200, confirmed.text
    return inbox.token_in_last("zugang")


def _jwt_user(url: str) -> dict[str, Any]:
    token = parse_qs(urlparse(url).query)["jwt"][0]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return dict(claims["context"]["user"])


async def test_double_opt_in_then_a_guest_link_until_the_closed_part(town, issuer) -> None:  # type: ignore[no-untyped-def]
    meeting, inbox = town
    clerk = issuer.person("richter")
    asked = await meeting.client.post(PUBLIC, json={"email": "Anna@Example.org"})
    assert asked.status_code == 202, asked.text
    [first] = inbox.received
    assert first["To"] == "anna@example.org"
    confirm_token = inbox.token_in_last("zugang/bestaetigen")
    # The confirmation token is no join link, and nothing is mailed before confirming.
    early = await meeting.client.post(f"{PUBLIC}/join", json={"token": confirm_token})
    assert early.status_code == 403
    confirmed = await meeting.client.post(f"{PUBLIC}/confirm", json={"token": confirm_token})
    assert confirmed.status_code == 200, confirmed.text
    assert len(inbox.received) == 2
    body = inbox.received[-1].get_body(("plain",))
    assert body is not None
    assert "Bild- und Tonaufnahmen der Sitzung sind nicht erlaubt" in body.get_content()
    link = inbox.token_in_last("zugang")
    again = await meeting.client.post(f"{PUBLIC}/confirm", json={"token": confirm_token})
    assert again.status_code == 404
    assert len(inbox.received) == 2

    not_yet = await meeting.client.post(f"{PUBLIC}/join", json={"token": link})
    assert (not_yet.status_code, not_yet.json()["type"].rsplit("/", 1)[-1]) == (
        409, "meeting-not-running")
    assert (await meeting.client.post(f"{STAFF}/open", headers=clerk)).status_code == 200
    joined = await meeting.client.post(f"{PUBLIC}/join", json={"token": link})
    assert joined.status_code == 200, joined.text
    assert joined.json()["provider"] == "jitsi"
    user = _jwt_user(joined.json()["url"])
    assert user["moderator"] is False
    assert user["name"].startswith("Gast")
    async with httpx.AsyncClient() as browser:  # the provider lets the guest in
        assert (await browser.get(joined.json()["url"])).status_code == 200

    called = await meeting.client.post(f"{STAFF}/agenda-items/{CLOSED_ITEM.id}/status",
                                       json={"status": "called"}, headers=clerk)
    assert called.status_code == 200, called.text
    cut = await meeting.client.post(f"{PUBLIC}/join", json={"token": link})
    assert (cut.status_code, cut.json()["type"].rsplit("/", 1)[-1]) == (409, "closed-part")

    await asyncio.gather(*removal.running())
    listed = (await meeting.client.get(f"{STAFF}/citizen-links", headers=clerk)).json()
    assert [(r["email"], r["state"]) for r in listed] == [("a…@example.org", "active")]
    # Jitsi cannot put a guest out through an API: the clerk's list says it is theirs to do.
    assert listed[0]["removal_state"] == "manual"
    assert link not in json.dumps(listed)
    assert confirm_token not in json.dumps(listed)


async def test_requests_are_limited_per_address_and_per_network(town) -> None:  # type: ignore[no-untyped-def]
    meeting, inbox = town
    for address in ("bert@example.org", "BERT@example.org"):
        assert (await meeting.client.post(PUBLIC, json={"email": address})).status_code == 202
    third = await meeting.client.post(PUBLIC, json={"email": "bert@example.org"})
    assert (third.status_code, third.json()["type"].rsplit("/", 1)[-1]) == (
        429, "citizen-link-limit-address")
    for address in ("carl@example.org", "dora@example.org"):
        assert (await meeting.client.post(PUBLIC, json={"email": address})).status_code == 202
    fifth = await meeting.client.post(PUBLIC, json={"email": "emil@example.org"})
    assert (fifth.status_code, fifth.json()["type"].rsplit("/", 1)[-1]) == (
        429, "citizen-link-limit-network")
    assert len(inbox.received) == 4
    # Forwarded by the portal for a citizen of another network: counted there, not here.
    other = await meeting.client.post(PUBLIC, json={"email": "emil@example.org"},
                                      headers={"X-Citizen-Address": "198.51.100.7"})
    assert other.status_code == 202
    bad = await meeting.client.post(PUBLIC, json={"email": "not an address"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith(
        "application/problem+json")


async def test_the_clerk_revokes_a_link_and_addresses_go_after_the_meeting(town, issuer) -> None:  # type: ignore[no-untyped-def]
    meeting, inbox = town
    clerk = issuer.person("richter")
    link = await _linked(meeting, inbox)
    assert (await meeting.client.post(f"{STAFF}/open", headers=clerk)).status_code == 200
    assert (await meeting.client.post(f"{PUBLIC}/join", json={"token": link})).status_code == 200
    [row] = (await meeting.client.get(f"{STAFF}/citizen-links", headers=clerk)).json()
    member = await meeting.client.post(f"{STAFF}/citizen-links/{row['id']}/revoke",
                                       headers=issuer.person("becker"))
    assert member.status_code == 403
    revoked = await meeting.client.post(f"{STAFF}/citizen-links/{row['id']}/revoke",
                                        headers=clerk)
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    refused = await meeting.client.post(f"{PUBLIC}/join", json={"token": link})
    assert refused.status_code == 403
    # Jitsi cannot put a guest out: the clerk's list says it is left to the host.
    await asyncio.gather(*removal.running())
    [row] = (await meeting.client.get(f"{STAFF}/citizen-links", headers=clerk)).json()
    assert row["removal_state"] == "manual"
    # Another town's clerk cannot see or revoke it; a link is for its own town only.
    elsewhere = await meeting.client.post(
        f"/api/v1/citizen-links/other-town/{demo.MEETING_ID}/join", json={"token": link})
    assert elsewhere.status_code == 404

    assert await erase_once(meeting.app.state.db) == 0  # still running: kept
    assert (await meeting.client.post(f"{STAFF}/close", headers=clerk)).status_code == 200
    assert await erase_once(meeting.app.state.db) == 1
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        stored = await session.get(CitizenLink, row["id"])
    assert stored is not None
    assert (stored.email, stored.network) == (None, None)
    late = await meeting.client.post(PUBLIC, json={"email": "anna@example.org"})
    assert late.status_code == 409


async def test_the_snapshot_names_the_citizen_room_and_the_closed_part(town, issuer) -> None:  # type: ignore[no-untyped-def]
    meeting, _inbox = town
    clerk = issuer.person("richter")
    refused = await meeting.client.put(f"{STAFF}/citizen-room", json={"room": "Saal"},
                                       headers=issuer.person("becker"))
    assert refused.status_code == 403
    named = await meeting.client.put(f"{STAFF}/citizen-room", headers=clerk,
                                     json={"room": "Rathaus,  Raum 104 "})
    assert named.json() == {"room": "Rathaus, Raum 104"}
    assert (await meeting.client.post(f"{STAFF}/open", headers=clerk)).status_code == 200
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        before = await load_public_meeting(session, demo.MEETING_ID)
    assert before is not None
    assert (before.citizen_room, before.closed_part) == ("Rathaus, Raum 104", False)
    await meeting.client.post(f"{STAFF}/agenda-items/{CLOSED_ITEM.id}/status",
                              json={"status": "called"}, headers=clerk)
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        during = await load_public_meeting(session, demo.MEETING_ID)
    assert during is not None
    assert (during.closed_part, during.current_item_id) == (True, "")


@pytest.fixture
async def webex_town(  # type: ignore[no-untyped-def]
        meeting, issuer, smtp, monkeypatch) -> AsyncIterator[tuple[Any, Inbox, FakeWebex]]:
    """Meeting mailing through the local SMTP server, with a fake Webex as the town's video."""
    inbox, port = smtp
    app = meeting.app
    app.state.settings = app.state.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none",
        "public_portal_url": PORTAL, "video_http_attempts": 2})

    async def deliver(url: str, headers: dict[str, str], body: bytes) -> int:
        parts = urlsplit(url)
        return (await meeting.client.post(f"{parts.path}?{parts.query}", headers=headers,
                                          content=body)).status_code

    fake = FakeWebex(spec=load_spec(), token="webex-token", deliver=deliver)
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_W_TOKEN", "webex-token")
    monkeypatch.setenv("RATSRAUM_VIDEO_SOEST_W_HOOK", "hook-secret")
    async with serve(fake.app) as base:
        fake.base_url = base
        answer = await meeting.client.put("/api/v1/video/config", headers=issuer.person("lange"),
                                          json={"provider": "webex", "options": {"base_url": base},
                                                "secret_env": {
                                                    "token": "RATSRAUM_VIDEO_SOEST_W_TOKEN",
                                                    "webhook_secret":
                                                        "RATSRAUM_VIDEO_SOEST_W_HOOK"}})
        assert answer.status_code == 200, answer.text
        yield meeting, inbox, fake


async def _guest_in_room(meeting, link: str, fake: FakeWebex) -> str:  # type: ignore[no-untyped-def]
    """The guest opens their provider link; returns their participant id at Webex."""
    joined = await meeting.client.post(f"{PUBLIC}/join", json={"token": link})
    assert joined.status_code == 200, joined.text
    before = set(fake.participants)
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(joined.json()["url"])).status_code == 200
    [participant_id] = set(fake.participants) - before
    return participant_id


async def _call(meeting, clerk, item_id: str) -> None:  # type: ignore[no-untyped-def]
    called = await meeting.client.post(f"{STAFF}/agenda-items/{item_id}/status",
                                       json={"status": "called"}, headers=clerk)
    assert called.status_code == 200, called.text


async def test_guests_are_put_out_of_the_webex_room_when_the_closed_part_begins(  # type: ignore[no-untyped-def]
        webex_town, issuer) -> None:
    meeting, inbox, fake = webex_town
    clerk = issuer.person("richter")
    anna = await _linked(meeting, inbox, "anna@example.org")
    bert = await _linked(meeting, inbox, "bert@example.org")
    assert (await meeting.client.post(f"{STAFF}/open", headers=clerk)).status_code == 200
    in_meeting = await _guest_in_room(meeting, anna, fake)
    fake.admit_in_client(in_meeting)  # the host let Anna in; Bert still waits in the lobby
    in_lobby = await _guest_in_room(meeting, bert, fake)
    member_link = (await meeting.client.get(f"{STAFF}/join", headers=issuer.person("becker"))
                   ).json()["url"]
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(member_link)).status_code == 200
    [member] = set(fake.participants) - {in_meeting, in_lobby}

    await _call(meeting, clerk, CLOSED_ITEM.id)
    await asyncio.gather(*removal.running())
    assert sorted(fake.expelled) == sorted([in_meeting, in_lobby])
    assert fake.participants[member]["state"] == "lobby"  # members stay
    listed = (await meeting.client.get(f"{STAFF}/citizen-links", headers=clerk)).json()
    assert {r["removal_state"] for r in listed} == {"removed"}

    # The next closed item again: nobody is left to put out, and nothing is expelled twice.
    await _call(meeting, clerk, SECOND_CLOSED.id)
    await asyncio.gather(*removal.running())
    assert len(fake.expelled) == 2
    listed = (await meeting.client.get(f"{STAFF}/citizen-links", headers=clerk)).json()
    assert {r["removal_state"] for r in listed} == {"absent"}


async def test_a_provider_fault_is_shown_to_the_clerk_and_never_blocks_the_call(  # type: ignore[no-untyped-def]
        webex_town, issuer) -> None:
    meeting, inbox, fake = webex_town
    clerk = issuer.person("richter")
    link = await _linked(meeting, inbox)
    assert (await meeting.client.post(f"{STAFF}/open", headers=clerk)).status_code == 200
    guest = await _guest_in_room(meeting, link, fake)
    fake.fail_expel = True
    await _call(meeting, clerk, CLOSED_ITEM.id)
    await asyncio.gather(*removal.running())
    assert fake.participants[guest]["state"] == "lobby"
    [row] = (await meeting.client.get(f"{STAFF}/citizen-links", headers=clerk)).json()
    assert row["removal_state"] == "failed"
    assert "500" in row["removal_note"]


async def test_revoking_a_link_during_the_session_puts_its_guest_out(  # type: ignore[no-untyped-def]
        webex_town, issuer) -> None:
    meeting, inbox, fake = webex_town
    clerk = issuer.person("richter")
    anna = await _linked(meeting, inbox, "anna@example.org")
    bert = await _linked(meeting, inbox, "bert@example.org")
    assert (await meeting.client.post(f"{STAFF}/open", headers=clerk)).status_code == 200
    annas = await _guest_in_room(meeting, anna, fake)
    fake.admit_in_client(annas)
    await _guest_in_room(meeting, bert, fake)
    rows = (await meeting.client.get(f"{STAFF}/citizen-links", headers=clerk)).json()
    link_of = {r["email"]: r["id"] for r in rows}

    # The provider fails: the revoke still holds at once, the clerk sees the failure.
    fake.fail_expel = True
    revoked = await meeting.client.post(
        f"{STAFF}/citizen-links/{link_of['a…@example.org']}/revoke", headers=clerk)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"
    await asyncio.gather(*removal.running())
    assert fake.expelled == []
    state = {r["email"]: r["removal_state"] for r in (await meeting.client.get(
        f"{STAFF}/citizen-links", headers=clerk)).json()}
    assert state["a…@example.org"] == "failed"

    # Revoking again once the provider answers puts Anna out; Bert, not revoked, stays.
    fake.fail_expel = False
    again = await meeting.client.post(
        f"{STAFF}/citizen-links/{link_of['a…@example.org']}/revoke", headers=clerk)
    assert again.status_code == 200, again.text
    await asyncio.gather(*removal.running())
    assert fake.expelled == [annas]
    state = {r["email"]: r["removal_state"] for r in (await meeting.client.get(
        f"{STAFF}/citizen-links", headers=clerk)).json()}
    assert state == {"a…@example.org": "removed", "b…@example.org": None}
