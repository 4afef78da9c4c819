"""Benchmark: N voters cast concurrently in one open vote straight against voting's gRPC API.

Starts nats-server, (optionally) a throwaway PostgreSQL, and voting as its own process,
opens an open vote with N voters, and lets all N cast at the same moment over a few shared
HTTP/2 channels (as meeting's workers would). Latency is per cast from the client's side and
includes queueing. `--src DIR` runs another checkout's `ratsraum_voting` (before/after).
CPU seconds of the voting process and of the load generator during the cast phase are
printed per ballot (the steadier guide on a shared machine than wall-clock rates). Ends with:
`bench: kind=voting-grpc voters=N p50_ms=… p99_ms=… ballots_per_s=…
cpu_ms_per_ballot_voting=… cpu_ms_per_ballot_client=… load=… db=…` (one line).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import grpc
import psutil  # type: ignore[import-untyped]

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_devstack.ports import free_port

TENANT = "lasttest"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def run(
    voters: int, port: int, channels: int, pid: int
) -> tuple[list[float], float, dict[str, float]]:
    """Open a poll, cast all ballots at once; returns latencies (ms), wall time (s) and CPU
    seconds used during the cast phase by voting and by this load generator."""
    chans = [grpc.aio.insecure_channel(f"127.0.0.1:{port}") for _ in range(channels)]
    stubs = [voting_pb2_grpc.VotingServiceStub(c) for c in chans]
    await asyncio.wait_for(chans[0].channel_ready(), 60)
    roll = [f"member-{i}" for i in range(voters)]
    poll = await stubs[0].OpenPoll(voting_pb2.OpenPollRequest(
        tenant=TENANT, poll_id=str(uuid.uuid4()), title="Last", roll=roll,
        method=voting_pb2.VOTE_METHOD_OPEN, majority_rule=voting_pb2.MAJORITY_RULE_SIMPLE,
    ), timeout=30)
    latencies: list[float] = []
    failed: list[tuple[float, str]] = []

    async def cast(i: int, voter: str) -> None:
        started = time.perf_counter()
        try:
            await stubs[i % channels].CastBallot(voting_pb2.CastBallotRequest(
                tenant=TENANT, poll_id=poll.poll_id, voter_id=voter,
                option_id=("yes", "no", "abstain")[i % 3], idempotency_key=uuid.uuid4().hex,
            ), timeout=120)
        except grpc.aio.AioRpcError as exc:
            failed.append((time.perf_counter() - began, exc.code().name))
            return
        latencies.append((time.perf_counter() - started) * 1000)

    cpu_before = cpu_seconds(pid), time.process_time()
    began = time.perf_counter()
    await asyncio.gather(*(cast(i, v) for i, v in enumerate(roll)))
    wall = time.perf_counter() - began
    cpu = {"voting": cpu_seconds(pid) - cpu_before[0],
           "client": time.process_time() - cpu_before[1]}
    if failed:
        codes = sorted({code for _, code in failed})
        raise SystemExit(f"{len(failed)} of {voters} casts failed ({', '.join(codes)}), the "
                         f"first after {min(t for t, _ in failed):.1f} s of {wall:.1f} s")
    closed = await stubs[0].ClosePoll(
        voting_pb2.ClosePollRequest(tenant=TENANT, poll_id=poll.poll_id), timeout=60
    )
    assert closed.result.ballots_cast == voters, "not every ballot was counted"
    for c in chans:
        await c.close()
    return latencies, wall, cpu


def main() -> None:
    """Parse arguments, start the pieces, run, print figures and the machine-readable line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--src", type=Path, help="a services/voting/src to run instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nats = NatsServer(Path(tmp) / "nats").start()
        cluster = None
        url = f"sqlite+aiosqlite:///{tmp}/voting.sqlite3"
        if args.postgres:
            from ratsraum_devstack.postgres import PostgresCluster

            cluster = PostgresCluster().start()
            url = cluster.create_database()
        port = free_port()
        env = {**os.environ, "VOTING_DATABASE_URL": url, "VOTING_NATS_URL": nats.url,
               "VOTING_GRPC_PORT": str(port), "VOTING_HTTP_PORT": str(free_port()),
               "VOTING_DATA_DIR": tmp, "VOTING_LOG_LEVEL": "WARNING"}
        if args.src:
            env["PYTHONPATH"] = str(args.src.resolve())
        proc = subprocess.Popen([sys.executable, "-m", "ratsraum_voting"], env=env)
        try:
            latencies, wall, cpu = asyncio.run(run(args.voters, port, args.channels, proc.pid))
        finally:
            proc.terminate()
            proc.wait()
            nats.stop()
            if cluster is not None:
                cluster.stop()
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    rate = args.voters / wall
    db = "postgres" if args.postgres else "sqlite"
    per_ballot = {name: seconds / args.voters * 1000 for name, seconds in cpu.items()}
    load = os.getloadavg()[0]
    print(f"{args.voters} casts in {wall:.2f} s; p50 {p50:.0f} ms, p99 {p99:.0f} ms; CPU ms per "
          f"ballot: voting {per_ballot['voting']:.2f}, client {per_ballot['client']:.2f}; "
          f"load avg {load:.1f}")
    print(f"bench: kind=voting-grpc voters={args.voters} p50_ms={p50:.0f} p99_ms={p99:.0f} "
          f"ballots_per_s={rate:.0f} cpu_ms_per_ballot_voting={per_ballot['voting']:.2f} "
          f"cpu_ms_per_ballot_client={per_ballot['client']:.2f} load={load:.1f} db={db}")


if __name__ == "__main__":
    main()
