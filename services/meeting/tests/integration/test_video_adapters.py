"""One adapter suite, run against a stateful local fake of every provider.

Each case asserts what the adapter claims in its capabilities: rooms, personal (or shared)
links that the provider accepts, admission through the API where offered, presence events
that name the member, and refusal of forged webhooks.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from ratsraum_meeting.video.base import (
    NotSupported,
    Participant,
    PresenceEvent,
    ProviderRoom,
    VideoAdapter,
    VideoError,
    WebhookRejected,
)
from ratsraum_meeting.video.bbb import BigBlueButtonAdapter
from ratsraum_meeting.video.fakes.bbb import FakeBigBlueButton
from ratsraum_meeting.video.fakes.jitsi import FakeJitsi
from ratsraum_meeting.video.fakes.server import serve
from ratsraum_meeting.video.fakes.teams import FakeGraph
from ratsraum_meeting.video.fakes.webex import FakeWebex
from ratsraum_meeting.video.http import ProviderHttp
from ratsraum_meeting.video.jitsi import JitsiAdapter
from ratsraum_meeting.video.teams import TeamsAdapter
from ratsraum_meeting.video.webex import WebexAdapter
from ratsraum_meeting.video.webex_spec import SpecViolation, load_spec

CALLBACK = "https://ratsraum.test/api/v1/video/{p}/webhook?tenant=soest&meeting=m-1"
START = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)
ANNA = Participant(person_id="p-anna", display_name="Anna Schulte", external_id=None)
BEN = Participant(person_id="p-ben", display_name="Ben Becker", external_id=None)


@dataclass
class Call:
    """A webhook call the fake made to us."""

    url: str
    headers: dict[str, str]
    body: bytes

    def split(self) -> tuple[str, dict[str, str]]:
        """The URL without its query, and the query."""
        parts = urlsplit(self.url)
        query = dict(parse_qsl(parts.query))
        checksum = query.pop("checksum", None)
        base = self.url.split("&checksum=")[0].split("?checksum=")[0]
        return base, ({"checksum": checksum} if checksum else query)


@dataclass
class Harness:
    """An adapter wired to its fake, and how a member acts on the provider's side."""

    adapter: VideoAdapter
    calls: list[Call]
    open_link: Callable[[ProviderRoom, Participant, str], Awaitable[None]]
    leave: Callable[[ProviderRoom, Participant], Awaitable[None]]
    fake: object = None
    extra: dict[str, object] = field(default_factory=dict)

    def events(self) -> list[PresenceEvent]:
        """Every webhook received so far, verified and parsed by the adapter."""
        out: list[PresenceEvent] = []
        for call in self.calls:
            base, query = call.split()
            if "validationToken" in query:
                continue
            out += self.adapter.parse_webhook(url=base, query=query, headers=call.headers,
                                              body=call.body).events
        return out


def _http(base: str) -> ProviderHttp:
    return ProviderHttp(base_url=base, timeout_seconds=2.0, attempts=2, backoff_seconds=0.01)


async def _jitsi(stack: AsyncExitStack, calls: list[Call]) -> Harness:
    fake = FakeJitsi(app_id="ratsraum", app_secret="jitsi-test-secret-0123456789abcdef")
    base = await stack.enter_async_context(serve(fake.app))
    adapter = JitsiAdapter(base_url=base, app_id=fake.app_id, app_secret=fake.app_secret)

    async def open_link(room: ProviderRoom, who: Participant, url: str) -> None:
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).status_code == 200

    async def leave(room: ProviderRoom, who: Participant) -> None:
        return None

    return Harness(adapter, calls, open_link, leave, fake)


async def _bbb(stack: AsyncExitStack, calls: list[Call], deliver: object) -> Harness:
    fake = FakeBigBlueButton(secret="bbb-test-secret", deliver=deliver)  # type: ignore[arg-type]
    base = await stack.enter_async_context(serve(fake.app))
    adapter = BigBlueButtonAdapter(base_url=f"{base}/bigbluebutton", secret=fake.secret,
                                   http=_http(base))

    async def open_link(room: ProviderRoom, who: Participant, url: str) -> None:
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).status_code == 200
        await fake.approve_guest(room.room_id, who.person_id)  # the moderator, in the client

    async def leave(room: ProviderRoom, who: Participant) -> None:
        await fake.leave(room.room_id, who.person_id)

    return Harness(adapter, calls, open_link, leave, fake)


async def _webex(stack: AsyncExitStack, calls: list[Call], deliver: object) -> Harness:
    fake = FakeWebex(spec=load_spec(), token="webex-token", deliver=deliver)  # type: ignore[arg-type]
    base = await stack.enter_async_context(serve(fake.app))
    fake.base_url = base
    adapter = WebexAdapter(http=_http(base), token="webex-token", webhook_secret="hook-secret",
                           spec=load_spec())

    async def open_link(room: ProviderRoom, who: Participant, url: str) -> None:
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).status_code == 200

    async def leave(room: ProviderRoom, who: Participant) -> None:
        email = adapter.email_for(who)
        pid = next(k for k, p in fake.participants.items() if p["email"] == email)
        await fake.leave(pid)

    return Harness(adapter, calls, open_link, leave, fake)


async def _teams(stack: AsyncExitStack, calls: list[Call], deliver: object) -> Harness:
    fake = FakeGraph(client_id="app-id", client_secret="app-secret", deliver=deliver)  # type: ignore[arg-type]
    base = await stack.enter_async_context(serve(fake.app))
    adapter = TeamsAdapter(graph=_http(base), login=_http(base), azure_tenant="contoso",
                           client_id="app-id", client_secret="app-secret",
                           organizer_id="organizer-1", client_state="client-state-secret")

    async def open_link(room: ProviderRoom, who: Participant, url: str) -> None:
        await fake.roster(room.room_id, who.person_id, who.display_name, joined=True)

    async def leave(room: ProviderRoom, who: Participant) -> None:
        await fake.roster(room.room_id, who.person_id, who.display_name, joined=False)

    return Harness(adapter, calls, open_link, leave, fake)


@pytest.fixture(params=["jitsi", "bbb", "webex", "teams"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """The adapter of one provider against its running fake."""
    calls: list[Call] = []
    holder: dict[str, VideoAdapter] = {}

    async def deliver(url: str, headers: dict[str, str], body: bytes) -> int:
        call = Call(url, headers, body)
        calls.append(call)
        base, query = call.split()
        if "validationToken" in query:  # Graph's handshake: we must echo the token
            reply = holder["a"].parse_webhook(url=base, query=query, headers={}, body=b"").reply
            return 200 if reply == query["validationToken"] else 400
        return 200

    async with AsyncExitStack() as stack:
        build = {"jitsi": lambda: _jitsi(stack, calls), "bbb": lambda: _bbb(stack, calls, deliver),
                 "webex": lambda: _webex(stack, calls, deliver),
                 "teams": lambda: _teams(stack, calls, deliver)}[request.param]
        h = await build()
        holder["a"] = h.adapter
        yield h
        await h.adapter.aclose()


async def _room(h: Harness) -> ProviderRoom:
    return await h.adapter.create_room(
        key="m-1", title="4. Sitzung AID", starts_at=START, ends_at=START + timedelta(hours=3),
        callback_url=CALLBACK.format(p=h.adapter.provider))


async def test_capabilities_are_consistent(harness: Harness) -> None:
    caps = harness.adapter.capabilities
    assert caps.presence, "every provider must say how presence is learnt"
    assert caps.webhooks == ("push" in caps.presence)
    assert caps.admission in ("api", "client", "none")


async def test_each_member_gets_a_link_the_provider_accepts(harness: Harness) -> None:
    room = await _room(harness)
    anna = await harness.adapter.join_link(room=room, participant=ANNA)
    ben = await harness.adapter.join_link(room=room, participant=BEN)
    if harness.adapter.capabilities.personal_links:
        assert anna.personal
        assert anna.url != ben.url
    else:
        assert anna.url == ben.url == room.join_url
        assert not anna.personal
    await harness.open_link(room, ANNA, anna.url)
    if isinstance(harness.fake, FakeJitsi):
        assert harness.fake.rooms[room.room_id] == {"p-anna"}


async def test_presence_events_name_the_member(harness: Harness) -> None:
    room = await _room(harness)
    caps = harness.adapter.capabilities
    link = await harness.adapter.join_link(room=room, participant=ANNA)
    await harness.open_link(room, ANNA, link.url)
    if caps.admission == "api":
        waiting = harness.events()[-1]
        assert (waiting.kind, waiting.participant_key) == ("waiting", "p-anna")
        assert waiting.provider_participant_id
        await harness.adapter.admit(room=room,
                                    provider_participant_id=waiting.provider_participant_id)
    await harness.leave(room, ANNA)
    if "push" not in caps.presence:
        with pytest.raises(NotSupported):
            harness.adapter.parse_webhook(url="", query={}, headers={}, body=b"{}")
        return
    kinds = [(e.kind, e.participant_key) for e in harness.events()]
    assert kinds[-2:] == [("joined", "p-anna"), ("left", "p-anna")]


async def test_admission_through_the_api_only_where_claimed(harness: Harness) -> None:
    room = await _room(harness)
    if harness.adapter.capabilities.admission == "api":
        with pytest.raises(VideoError):  # nobody waits with this id
            await harness.adapter.admit(room=room, provider_participant_id="nobody")
    else:
        with pytest.raises(NotSupported):
            await harness.adapter.admit(room=room, provider_participant_id="anyone")


async def test_guest_removal_through_the_api_only_where_claimed(harness: Harness) -> None:
    room = await _room(harness)
    if not harness.adapter.capabilities.guest_removal:
        with pytest.raises(NotSupported):
            await harness.adapter.remove_guest(room=room, participant_key="p-anna")
        return
    link = await harness.adapter.join_link(room=room, participant=ANNA)
    await harness.open_link(room, ANNA, link.url)
    assert await harness.adapter.remove_guest(room=room, participant_key="p-anna") == 1
    # Done once is done: a repeat finds nobody, and a stranger's key removes no one.
    assert await harness.adapter.remove_guest(room=room, participant_key="p-anna") == 0
    assert await harness.adapter.remove_guest(room=room, participant_key="p-ben") == 0


async def test_forged_webhooks_are_rejected(harness: Harness) -> None:
    if not harness.adapter.capabilities.webhooks:
        pytest.skip("this provider pushes nothing")
    room = await _room(harness)
    link = await harness.adapter.join_link(room=room, participant=ANNA)
    await harness.open_link(room, ANNA, link.url)
    genuine = [c for c in harness.calls if "validationToken" not in c.url][-1]
    base, query = genuine.split()
    # A forger knows the shapes but not the town's secret. (Graph's basic notifications carry
    # the secret as clientState instead of signing the body, so the forger must guess it.)
    forged = genuine.body.replace(b"p-anna", b"p-mallory").replace(
        b"client-state-secret", b"guessed-state")
    assert forged != genuine.body
    with pytest.raises(WebhookRejected):
        harness.adapter.parse_webhook(url=base, query=query, headers=genuine.headers, body=forged)
    unsigned = {k: v for k, v in genuine.headers.items() if k != "x-spark-signature"}
    with pytest.raises(WebhookRejected):
        harness.adapter.parse_webhook(url=base, query={}, headers=unsigned, body=forged)
    # The genuine call still passes: the rejection is about the forgery, not the setup.
    assert harness.adapter.parse_webhook(url=base, query=query, headers=genuine.headers,
                                         body=genuine.body).events


async def test_polled_presence_reports_join_and_leave(harness: Harness) -> None:
    if "poll" not in harness.adapter.capabilities.presence:
        with pytest.raises(NotSupported):
            await harness.adapter.poll_presence(room=await _room(harness))
        return
    room = await _room(harness)
    await harness.open_link(room, ANNA, room.join_url)
    await harness.leave(room, ANNA)
    kinds = [(e.kind, e.participant_key) for e in await harness.adapter.poll_presence(room=room)]
    assert kinds == [("joined", "p-anna"), ("left", "p-anna")]


def test_webex_bodies_are_checked_against_the_description() -> None:
    spec = load_spec()
    spec.check_request("POST", "/meetings/join", {"meetingId": "x", "email": "a@b.de"})
    with pytest.raises(SpecViolation):
        spec.check_request("POST", "/meetings", {"title": "ohne Zeiten"})
    with pytest.raises(SpecViolation):
        spec.check_response("POST", "/meetingInvitees", 200, {"id": "1"})
    with pytest.raises(SpecViolation):
        spec.check_schema("Participant", {"state": "schlafend"})


async def test_provider_calls_retry_a_bounded_number_of_times() -> None:
    hits: list[int] = []

    def busy(request: httpx.Request) -> httpx.Response:
        hits.append(1)
        return httpx.Response(503)

    http = ProviderHttp(base_url="http://provider.test", timeout_seconds=1.0, attempts=3,
                        backoff_seconds=0.0,
                        client=httpx.AsyncClient(transport=httpx.MockTransport(busy),
                                                 base_url="http://provider.test"))
    with pytest.raises(VideoError, match="after 3 attempts"):
        await http.request("GET", "/api/create")
    assert len(hits) == 3
    await http.aclose()


@pytest.mark.skipif(not (os.environ.get("RATSRAUM_TEST_BBB_URL")
                         and os.environ.get("RATSRAUM_TEST_BBB_SECRET")),
                    reason="no real BigBlueButton configured (RATSRAUM_TEST_BBB_URL/_SECRET)")
async def test_real_bigbluebutton_creates_a_room_and_a_link() -> None:
    base = os.environ["RATSRAUM_TEST_BBB_URL"]
    adapter = BigBlueButtonAdapter(base_url=base, secret=os.environ["RATSRAUM_TEST_BBB_SECRET"],
                                   http=_http(base))
    room = await adapter.create_room(key="ratsraum-smoke", title="Ratsraum smoke test",
                                     starts_at=START, ends_at=START,
                                     callback_url="https://example.invalid/hook")
    assert (await adapter.join_link(room=room, participant=ANNA)).url.startswith(base)
    await adapter.aclose()


@pytest.mark.skipif(not os.environ.get("RATSRAUM_TEST_WEBEX_TOKEN"),
                    reason="no real Webex configured (RATSRAUM_TEST_WEBEX_TOKEN)")
async def test_real_webex_creates_a_meeting_within_its_description() -> None:
    adapter = WebexAdapter(http=_http("https://webexapis.com/v1"),
                           token=os.environ["RATSRAUM_TEST_WEBEX_TOKEN"],
                           webhook_secret="unused", spec=load_spec())
    room = await adapter.create_room(
        key="smoke", title="Ratsraum smoke test", starts_at=datetime.now(UTC) + timedelta(days=1),
        ends_at=datetime.now(UTC) + timedelta(days=1, hours=1),
        callback_url="https://example.invalid/hook")
    assert room.join_url.startswith("https://")
    await adapter.aclose()


_STATE = "client-state-secret"


@pytest.mark.parametrize("body", [
    b'{"value":[1]}',
    b'{"value":{"clientState":"client-state-secret"}}',
    b'{"value":[{"clientState":"client-state-secret","resourceData":[1]}]}',
    b'{"value":[{"clientState":"client-state-secret",'
    b'"resourceData":{"activeParticipants@joined":[1]}}]}',
    b'{"value":[{"clientState":"client-state-secret",'
    b'"resourceData":{"eventDateTime":"gestern"}}]}',
])
async def test_malformed_graph_notifications_are_rejected_not_crashes(body: bytes) -> None:
    # Only Graph's clientState inside the body says who sent it, so it must be parsed first.
    unused = _http("http://127.0.0.1:9")
    adapter = TeamsAdapter(graph=unused, login=unused, azure_tenant="contoso",
                           client_id="app-id", client_secret="app-secret",
                           organizer_id="organizer-1", client_state=_STATE)
    with pytest.raises(WebhookRejected):
        adapter.parse_webhook(url="", query={}, headers={}, body=body)
    await unused.aclose()


@pytest.mark.parametrize("event", [b"1", b"[1]", b'[{"data":[]}]',
                                   b'[{"data":{"id":"user-joined","event":{"ts":"x"}}}]',
                                   b'[{"data":{"id":"user-joined","attributes":[]}}]'])
async def test_malformed_bbb_events_with_a_valid_checksum_are_rejected(event: bytes) -> None:
    unused = _http("http://127.0.0.1:9")
    adapter = BigBlueButtonAdapter(base_url="http://127.0.0.1:9", http=unused,
                                   secret="bbb-secret")
    body = urlencode({"event": event.decode()}).encode()
    checksum = hashlib.sha256(b"https://cb" + body + b"bbb-secret").hexdigest()
    with pytest.raises(WebhookRejected):
        adapter.parse_webhook(url="https://cb", query={"checksum": checksum}, headers={},
                              body=body)
    await unused.aclose()
