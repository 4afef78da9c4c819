"""Concurrency across two voting processes on one PostgreSQL, and durability under SIGKILL."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import grpc
import pytest
from voting_testkit import cast_request, open_request, running_voting

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_devstack.ports import free_port
from ratsraum_voting.config import Settings

pytestmark = pytest.mark.postgres
T = 10.0


async def test_two_processes_one_postgres_count_one_ballot_per_voter(
    postgres_url: str, nats_url: str, tmp_path: Path, tenant: str
) -> None:
    def settings(name: str) -> Settings:
        return Settings(database_url=postgres_url, nats_url=nats_url, grpc_port=0,
                        data_dir=tmp_path / name, grpc_grace_seconds=0.5)

    voters = [f"m{i}" for i in range(20)]
    async with running_voting(settings("a")) as one, running_voting(settings("b")) as two:
        poll = await one.stub.OpenPoll(open_request(
            tenant, roll=voters, statutory_members=20, method=voting_pb2.VOTE_METHOD_ROLL_CALL,
        ), timeout=T)
        casts = [
            stub.CastBallot(cast_request(tenant, poll.poll_id, voter, option), timeout=30)
            for option in ("yes", "no", "abstain", "no")
            for voter in voters
            for stub in (one.stub, two.stub)
        ]
        # The same request sent to both processes at once must count once as well.
        same = cast_request(tenant, poll.poll_id, "m0", "yes", key="shared-key")
        casts += [one.stub.CastBallot(same, timeout=30), two.stub.CastBallot(same, timeout=30)]
        random.Random(7).shuffle(casts)
        answers = await asyncio.gather(*casts)
        assert len([a for a in answers if a.replayed]) == 1
        closed = await two.stub.ClosePoll(
            voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
        )
    named = [v.voter_id for v in closed.result.named_votes]
    assert sorted(named) == sorted(voters)  # exactly one counted ballot per voter
    assert sum(c.count for c in closed.result.counts) == len(voters)
    assert closed.result.ballots_cast == len(voters)


class VotingProcess:
    """`python -m ratsraum_voting` as a child process, killable with SIGKILL."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start a fresh process (migrations run at start-up)."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ratsraum_voting"], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


_FAST_RECONNECT = [("grpc.initial_reconnect_backoff_ms", 100),
                   ("grpc.min_reconnect_backoff_ms", 100), ("grpc.max_reconnect_backoff_ms", 300)]


async def _cast_until_acked(stub: Any, request: Any, failures: list[str]) -> Any:
    """Retry with the same idempotency key until acknowledged (what meeting does)."""
    while True:
        try:
            return await stub.CastBallot(request, timeout=2.0)
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                                  grpc.StatusCode.INTERNAL):
                raise
            failures.append(exc.code().name)
            await asyncio.sleep(0.05)


async def test_acknowledged_ballots_survive_sigkill(
    postgres_url: str, nats_url: str, tmp_path: Path, tenant: str
) -> None:
    port = free_port()
    env = {**os.environ, "VOTING_DATABASE_URL": postgres_url, "VOTING_NATS_URL": nats_url,
           "VOTING_GRPC_PORT": str(port), "VOTING_HTTP_PORT": str(free_port()),
           "VOTING_DATA_DIR": str(tmp_path), "VOTING_LOG_LEVEL": "WARNING"}
    process = VotingProcess(env)
    process.start()
    voters = [f"member-{i}" for i in range(200)]
    rng = random.Random(2026)
    acked: dict[str, str] = {}
    failures: list[str] = []
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=_FAST_RECONNECT) as chan:
        stub = voting_pb2_grpc.VotingServiceStub(chan)
        await asyncio.wait_for(chan.channel_ready(), 30)
        poll = await stub.OpenPoll(open_request(tenant, roll=voters, statutory_members=200),
                                   timeout=T)

        async def voter(name: str) -> None:
            # Each member votes twice (changes the vote); the last acknowledged one counts.
            for option in (rng.choice(["yes", "no"]), rng.choice(["yes", "no", "abstain"])):
                request = cast_request(tenant, poll.poll_id, name, option)
                await _cast_until_acked(stub, request, failures)
                acked[name] = option

        async def killer() -> None:
            for _ in range(3):
                await asyncio.sleep(rng.uniform(0.1, 0.5))
                process.kill()
                process.start()

        try:
            await asyncio.gather(killer(), *(voter(v) for v in voters))
            closed = await stub.ClosePoll(
                voting_pb2.ClosePollRequest(tenant=tenant, poll_id=poll.poll_id), timeout=T
            )
        finally:
            process.kill()
    assert len(acked) == 200
    assert failures, "no cast was interrupted: the kills missed the vote"
    counts = {c.option_id: c.count for c in closed.result.counts}
    expected = Counter(acked.values())
    assert counts == {o: expected.get(o, 0) for o in ("yes", "no", "abstain")}
    assert closed.result.ballots_cast == 200


@pytest.fixture
def tenant() -> str:
    """A town of its own per test."""
    return f"town-{uuid.uuid4().hex[:10]}"
