"""Fixtures: real tokens, app, database and NATS; voting faked only at its gRPC border."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.auth import TokenVerifier
from ratsraum_common.grpcutil import error_status, start_server
from ratsraum_meeting.config import Settings
from ratsraum_meeting.main import build_app

DOMAIN = "voting.ratsraum.de"


@dataclass
class _FakePoll:
    poll: voting_pb2.Poll
    roll: set[str]
    ballots: dict[str, str] = field(default_factory=dict)
    keys: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> voter, choice, id


class FakeVoting(voting_pb2_grpc.VotingServiceServicer):  # type: ignore[misc]
    """Keeps polls in memory; `unavailable_calls` makes the next N calls fail as UNAVAILABLE."""

    def __init__(self) -> None:
        self.polls: dict[tuple[str, str], _FakePoll] = {}
        self.unavailable_calls = 0
        self.cast_attempts = 0

    async def _refuse(self, context: grpc.aio.ServicerContext, code: grpc.StatusCode,
                      reason: str) -> None:
        await context.abort_with_status(error_status(code, reason, reason, domain=DOMAIN))

    async def _flaky(self, context: grpc.aio.ServicerContext) -> None:
        if self.unavailable_calls > 0:
            self.unavailable_calls -= 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "simulated outage")

    async def _get(self, context: grpc.aio.ServicerContext, tenant: str, poll_id: str) -> _FakePoll:
        found = self.polls.get((tenant, poll_id))
        if found is None:
            await self._refuse(context, grpc.StatusCode.NOT_FOUND, "POLL_NOT_FOUND")
            raise AssertionError("unreachable")
        return found

    async def OpenPoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        poll = voting_pb2.Poll(
            tenant=request.tenant, poll_id=request.poll_id, meeting_id=request.meeting_id,
            agenda_item_id=request.agenda_item_id, title=request.title, method=request.method,
            majority_rule=request.majority_rule, state=voting_pb2.POLL_STATE_OPEN,
            roll_size=len(request.roll), public=request.public, options=request.options,
        )
        self.polls[(request.tenant, request.poll_id)] = _FakePoll(poll, set(request.roll))
        return poll

    async def CastBallot(self, request, context):  # type: ignore[no-untyped-def]
        self.cast_attempts += 1
        await self._flaky(context)
        fake = await self._get(context, request.tenant, request.poll_id)
        if fake.poll.state != voting_pb2.POLL_STATE_OPEN:
            await self._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN")
        if request.voter_id not in fake.roll:
            await self._refuse(context, grpc.StatusCode.PERMISSION_DENIED, "NOT_ON_ROLL")
        if request.idempotency_key in fake.keys:
            voter, choice, ballot_id = fake.keys[request.idempotency_key]
            if (voter, choice) != (request.voter_id, request.option_id):
                await self._refuse(context, grpc.StatusCode.FAILED_PRECONDITION,
                                   "IDEMPOTENCY_KEY_REUSED")
            return voting_pb2.CastBallotResponse(
                ballot_id=ballot_id, replayed=True, ballots_cast=len(fake.ballots))
        ballot_id = str(uuid.uuid4())
        fake.keys[request.idempotency_key] = (request.voter_id, request.option_id, ballot_id)
        fake.ballots[request.voter_id] = request.option_id
        fake.poll.ballots_cast = len(fake.ballots)
        del fake.poll.voted[:]
        fake.poll.voted.extend(sorted(fake.ballots))
        return voting_pb2.CastBallotResponse(
            ballot_id=ballot_id, replayed=False, ballots_cast=len(fake.ballots))

    def close(self, tenant: str, poll_id: str) -> voting_pb2.Poll:
        """Tally with the simple majority (yes > no) and mark the poll closed."""
        fake = self.polls[(tenant, poll_id)]
        if fake.poll.state == voting_pb2.POLL_STATE_CLOSED:
            return fake.poll
        counts = {o: sum(1 for c in fake.ballots.values() if c == o)
                  for o in ("yes", "no", "abstain")}
        accepted = counts["yes"] > counts["no"]
        fake.poll.state = voting_pb2.POLL_STATE_CLOSED
        fake.poll.closed_at.GetCurrentTime()
        fake.poll.result.CopyFrom(voting_pb2.Result(
            counts=[voting_pb2.OptionCount(option_id=o, label=o, count=n)
                    for o, n in counts.items()],
            outcome=voting_pb2.OUTCOME_ACCEPTED if accepted else voting_pb2.OUTCOME_REJECTED,
            rule=fake.poll.majority_rule,
            explanation="Angenommen." if accepted else "Abgelehnt.",
            roll_size=fake.poll.roll_size, ballots_cast=len(fake.ballots),
            named_votes=[voting_pb2.NamedVote(voter_id=v, option_id=c)
                         for v, c in sorted(fake.ballots.items())]
            if fake.poll.method == voting_pb2.VOTE_METHOD_ROLL_CALL else [],
        ))
        return fake.poll

    async def ClosePoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        fake = await self._get(context, request.tenant, request.poll_id)
        if fake.poll.state == voting_pb2.POLL_STATE_CLOSED:
            await self._refuse(context, grpc.StatusCode.FAILED_PRECONDITION, "POLL_NOT_OPEN")
        return self.close(request.tenant, request.poll_id)

    async def GetPoll(self, request, context):  # type: ignore[no-untyped-def]
        await self._flaky(context)
        return (await self._get(context, request.tenant, request.poll_id)).poll


ISSUER = "https://id.test.example"
AUDIENCE = "ratsraum-meeting"


@dataclass
class Issuer:
    """Signs access tokens as identity would; its JWKS feeds the real verifier."""

    key: RSAKey

    def jwks(self) -> dict[str, Any]:
        """The public key set."""
        return KeySet([self.key]).as_dict(private=False)

    def verifier(self) -> TokenVerifier:
        """A real TokenVerifier that fetches this issuer's JWKS."""

        async def fetch(_url: str) -> dict[str, Any]:
            return self.jwks()

        return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="unused", fetch=fetch)

    def token(self, subject: str, roles: list[str], *, tenant: str = demo.TENANT) -> str:
        """A signed access token for the meeting API."""
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "tenant": tenant,
                  "roles": roles, "name": subject, "iat": now, "exp": now + 600}
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)

    def person(self, username: str, *, tenant: str = demo.TENANT) -> dict[str, str]:
        """Authorization header of a demo person with their demo roles."""
        person = next(p for p in demo.PEOPLE if p.username == username)
        token = self.token(person.subject, list(person.roles), tenant=tenant)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def issuer() -> Issuer:
    """One signing key for the session."""
    return Issuer(RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True))


@pytest.fixture
async def fake_voting() -> AsyncIterator[tuple[FakeVoting, int]]:
    """The in-memory voting service on a free port."""
    servicer = FakeVoting()
    server, port = await start_server(
        host="127.0.0.1", port=0,
        register=lambda s: voting_pb2_grpc.add_VotingServiceServicer_to_server(servicer, s),
        service_names=["ratsraum.voting.v1.VotingService"],
    )
    yield servicer, port
    await server.stop(grace=None)


def member_ids(count: int) -> list[str]:
    """Subject ids of the first `count` committee members (in demo order)."""
    return [p.subject for p in demo.PEOPLE if p.is_member][:count]


@dataclass
class Running:
    """A started meeting app with an HTTP client and helpers for common steps."""

    app: FastAPI
    client: httpx.AsyncClient
    base: str = f"/api/v1/meetings/{demo.MEETING_ID}"

    async def open_and_attend(self, clerk: dict[str, str], present: int) -> None:
        """Open the demo meeting and record the first `present` members in the room."""
        assert (await self.client.post(f"{self.base}/open", headers=clerk)).status_code == 200
        for person_id in member_ids(present):
            response = await self.client.put(f"{self.base}/attendance/{person_id}",
                                             json={"presence": "in_room"}, headers=clerk)
            assert response.status_code == 200, response.text


StartMeeting = Callable[[str], Awaitable[Running]]


@pytest.fixture
async def start_meeting(
    database_url: str, nats_url: str, issuer: Issuer, tmp_path: Path
) -> AsyncIterator[StartMeeting]:
    """Start meeting (seeded demo town) against a voting target; stopped after the test."""
    stops: list[Callable[[], Awaitable[None]]] = []

    async def start(voting_target: str) -> Running:
        settings = Settings(
            database_url=database_url, nats_url=nats_url, voting_target=voting_target,
            grpc_port=0, data_dir=tmp_path, seed_demo=True, voting_deadline_seconds=2.0,
            environment="test",
        )
        app = build_app(settings, token_verifier=issuer.verifier())
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://meeting.test")

        async def stop() -> None:
            await client.aclose()
            await lifespan.__aexit__(None, None, None)

        stops.append(stop)
        return Running(app=app, client=client)

    yield start
    for stop in reversed(stops):
        await stop()


@pytest.fixture
async def meeting(
    start_meeting: StartMeeting, fake_voting: tuple[FakeVoting, int]
) -> Running:
    """Meeting wired to the fake voting service."""
    return await start_meeting(f"127.0.0.1:{fake_voting[1]}")
