"""The foundation journey: sign in, attendance, quorum, an open vote, the public result.

Every service runs as its own process; the test uses only their public HTTP endpoints, as the
clerk's and members' apps and a citizen's browser would.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack

from .journey import SseListener, item_of, sign_in

pytestmark = pytest.mark.e2e

ITEM = next(i for i in demo.AGENDA if i.key == "o3")  # public, votable
CLOSED_ITEM = next(i for i in demo.AGENDA if i.key == "n1")
PRESENT = ["schulte", "becker", "hoffmann", "yilmaz", "wagner", "krause", "neumann"]
ABSENT = "braun"


async def test_council_vote_from_sign_in_to_public_result(stack: Stack) -> None:
    c = stack.config
    async with httpx.AsyncClient(timeout=10.0) as http:
        clerk = await sign_in(stack, "richter", http)
        voters = [await sign_in(stack, name, http) for name in ("becker", "hoffmann", "yilmaz")]
        absent = await sign_in(stack, ABSENT, http)
    meeting = f"/api/v1/meetings/{demo.MEETING_ID}"
    try:
        r = await clerk.client.post(f"{meeting}/open")
        assert r.status_code == 200, r.text

        # Before anyone is recorded present, no vote may open.
        r = await clerk.client.post(f"{meeting}/agenda-items/{ITEM.id}/polls",
                                    json={"method": "open"})
        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"

        for username in PRESENT:
            presence = "remote" if username in ("yilmaz", "krause") else "in_room"
            r = await clerk.client.put(
                f"{meeting}/attendance/{demo.subject_for(demo.TENANT, username)}",
                json={"presence": presence})
            assert r.status_code == 200, r.text
        quorum = (await clerk.client.get(f"{meeting}/quorum")).json()
        assert quorum["quorate"] is True
        assert quorum["present"] == len(PRESENT)
        assert quorum["statutory_members"] == demo.STATUTORY_MEMBERS

        portal = httpx.AsyncClient(base_url=c.url(c.portal_port), timeout=10.0)
        live = SseListener(f"{c.url(c.portal_port)}/{demo.TENANT}/sitzungen/"
                           f"{demo.MEETING_ID}/live")
        await live.start()

        r = await clerk.client.post(f"{meeting}/agenda-items/{ITEM.id}/polls",
                                    json={"method": "open", "majority_rule": "simple"})
        assert r.status_code == 201, r.text
        poll = r.json()
        poll_id = poll["id"]
        assert poll["roll_size"] == len(PRESENT)

        # Casts, one retried with the same key after a "dropped connection": counted once.
        key = uuid.uuid4().hex
        first = await voters[0].cast(poll_id, "yes", key)
        retry = await voters[0].cast(poll_id, "yes", key)
        assert first.status_code == 201, first.text
        assert retry.status_code in (200, 201)
        assert retry.json()["replayed"] is True
        assert retry.json()["ballot_id"] == first.json()["ballot_id"]
        assert (await voters[1].cast(poll_id, "yes")).status_code == 201
        assert (await voters[2].cast(poll_id, "no")).status_code == 201

        # While open only "has voted" marks are visible, never choices.
        state = (await voters[1].client.get(f"/api/v1/polls/{poll_id}")).json()
        assert state["ballots_cast"] == 3
        assert state["result"] is None
        assert set(state["voted"]) == {v.subject for v in voters}

        # Someone not on the roll is refused and nothing changes.
        r = await absent.cast(poll_id, "no")
        assert r.status_code == 403, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "Stimmberechtigten" in r.json()["detail"]

        # A member cannot do the clerk's work.
        assert (await voters[0].client.post(f"/api/v1/polls/{poll_id}/close")).status_code == 403

        closed_at = time.monotonic()
        r = await clerk.client.post(f"/api/v1/polls/{poll_id}/close")
        assert r.status_code == 200, r.text
        result = r.json()["result"]
        assert result["outcome"] == "accepted"
        counts = {c["option_id"]: c["count"] for c in result["counts"]}
        assert counts == {"yes": 2, "no": 1, "abstain": 0}

        arrived, snapshot = await live.wait_for(
            lambda s: (item_of(s, ITEM.id) or {}).get("result") is not None, timeout=5.0)
        latency = arrived - closed_at
        print(f"close -> portal SSE update: {latency * 1000:.0f} ms")
        assert latency < 1.0, f"portal updated {latency:.2f}s after close"
        public_result = item_of(snapshot, ITEM.id)["result"]  # type: ignore[index]
        assert (public_result["yes"], public_result["no"]) == (2, 1)
        assert item_of(snapshot, CLOSED_ITEM.id) is None  # closed part never reaches the public
        await live.stop()

        # A cast after the close is refused and does not change the result.
        r = await voters[2].cast(poll_id, "yes")
        assert r.status_code == 409, r.text
        final = (await clerk.client.get(f"/api/v1/polls/{poll_id}")).json()
        assert {c["option_id"]: c["count"] for c in final["result"]["counts"]} == counts

        # The public page, server-rendered from the portal's own read model.
        page = await portal.get(f"/{demo.TENANT}/sitzungen/{demo.MEETING_ID}")
        assert page.status_code == 200
        assert ITEM.title in page.text
        assert "Angenommen" in page.text
        assert CLOSED_ITEM.title not in page.text
        await portal.aclose()
    finally:
        for person in [clerk, *voters, absent]:
            await person.client.aclose()


async def test_requests_without_valid_token_are_refused(stack: Stack) -> None:
    c = stack.config
    async with httpx.AsyncClient(base_url=c.url(c.meeting_port)) as client:
        r = await client.get(f"/api/v1/meetings/{demo.MEETING_ID}")
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        r = await client.get("/api/v1/meetings",
                             headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."})
        assert r.status_code == 401


async def test_malformed_requests_get_problem_json(stack: Stack) -> None:
    c = stack.config
    async with httpx.AsyncClient(timeout=10.0) as http:
        member = await sign_in(stack, "wolf", http)
    try:
        for method, path, body in [
            ("POST", f"/api/v1/polls/{uuid.uuid4()}/ballots", b"{broken"),
            ("POST", "/api/v1/polls/not-a-uuid/ballots", b'{"choice": "yes"}'),
            ("GET", "/api/v1/does-not-exist", None),
            ("PUT", f"/api/v1/meetings/{demo.MEETING_ID}/attendance/x", b"[]"),
        ]:
            r = await member.client.request(
                method, path, content=body,
                headers={"content-type": "application/json", "Idempotency-Key": "k" * 16})
            assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
            assert r.headers["content-type"] == "application/problem+json", path
    finally:
        await member.client.aclose()
    async with httpx.AsyncClient(base_url=c.url(c.portal_port)) as portal:
        r = await portal.get("/soest/sitzungen/../../etc/passwd")
        assert 400 <= r.status_code < 500
        r = await portal.get(f"/nirgendwo/sitzungen/{uuid.uuid4()}",
                             headers={"Accept": "text/html"})
        assert r.status_code == 404
        assert 'lang="de"' in r.text


async def test_every_service_reports_health_and_metrics(stack: Stack) -> None:
    c = stack.config
    ports = [c.portal_port, c.identity_port, c.meeting_port, c.voting_http_port]
    async with httpx.AsyncClient(timeout=5.0) as client:
        for port in ports:
            base = c.url(port)
            assert (await client.get(f"{base}/healthz")).status_code == 200
            ready = await client.get(f"{base}/readyz")
            assert ready.status_code == 200, ready.text
            metrics = (await client.get(f"{base}/metrics")).text
            assert "_http_request" in metrics or "voting_" in metrics


def test_voting_grpc_listens_on_loopback_only(stack: Stack) -> None:
    import socket

    c = stack.config
    for address in _non_loopback_addresses():
        with socket.socket() as sock:
            sock.settimeout(0.5)
            assert sock.connect_ex((address, c.voting_grpc_port)) != 0, address


def _non_loopback_addresses() -> list[str]:
    import socket

    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({i[4][0] for i in infos if not i[4][0].startswith("127.")})


