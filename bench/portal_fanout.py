"""Benchmark: one portal process holds N live viewers and pushes a vote's result to all of them.

Starts nats-server and one citizen portal as its own process (its read model fed only by
events), publishes a meeting's public snapshot the way meeting's outbox relay does, opens N
live streams (SSE) from a few client processes, then publishes the snapshot with the closed
vote's result. Per viewer it measures the time from that publish to the moment the result's
event arrived, and reports the portal's memory with all streams open. The portal's viewer
limits are configuration (PORTAL_MAX_SSE_STREAMS, PORTAL_SSE_STREAMS_PER_TOWN and, since every
stream comes from 127.0.0.1, PORTAL_SSE_STREAMS_PER_CLIENT); the bench sets them to N.
`--src DIR` runs another checkout's `ratsraum_portal` (before/after). Ends with:
`bench: kind=portal_fanout viewers=N p50_ms=… p99_ms=… max_ms=… rss_mb=… kb_per_viewer=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped]

from ratsraum.meeting.v1 import public_pb2
from ratsraum_common.events import make_envelope
from ratsraum_common.nats import connect, ensure_stream
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_devstack.ports import free_port

TENANT = "lasttest"
COUNCIL = 40
RESULT_VERSION = 2
# How many streams one client process opens at the same time (stays within the listen backlog).
CONNECTING_AT_ONCE = 200


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def raise_fd_limit() -> None:
    """Every stream is a socket on both ends: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def meeting(meeting_id: str, *, closed: bool) -> public_pb2.PublicMeeting:
    """A council meeting of 40 members, with item Ö 2 in its vote or decided by roll call."""
    snapshot = public_pb2.PublicMeeting(
        tenant=public_pb2.PublicTenant(id=TENANT, name="Stadt Lasttest"), id=meeting_id,
        body_name="Rat der Stadt", title="12. Sitzung des Rates", location="Rathaus, Ratssaal",
        status="running", present=COUNCIL, members=COUNCIL, quorate=True,
    )
    snapshot.starts_at.FromDatetime(datetime(2026, 12, 6, 17, 0, tzinfo=UTC))
    snapshot.updated_at.FromDatetime(datetime.now(UTC))
    for n in range(1, 13):
        item = snapshot.agenda.add(id=f"item-{n}", number=f"Ö {n}", position=n,
                                   title=f"Tagesordnungspunkt {n}: Haushalt und Satzung",
                                   status="open" if n > 2 else "decided")
        if n == 2 and not closed:
            item.status = "voting"
            item.live_vote.CopyFrom(public_pb2.PublicLiveVote(
                poll_id="poll-2", ballots_cast=COUNCIL - 3, roll_size=COUNCIL))
        if n == 1 or (n == 2 and closed):
            options = ("yes", "no", "abstain")
            item.result.CopyFrom(public_pb2.PublicVoteResult(
                poll_id=f"poll-{n}", method="roll_call", outcome="accepted", yes=24, no=12,
                abstain=4, roll_size=COUNCIL, ballots_cast=COUNCIL,
                named_votes=[public_pb2.PublicNamedVote(name=f"Ratsmitglied {m:02d}",
                                                        option_id=options[m % 3])
                             for m in range(COUNCIL)],
            ))
    return snapshot


async def publish(nats_url: str, snapshot: public_pb2.PublicMeeting, version: int) -> None:
    """Publish PublicMeetingUpdated as meeting's outbox relay does."""
    nc = await connect(nats_url, name="bench-fanout")
    try:
        js = nc.jetstream()
        await ensure_stream(js)
        subject, envelope = make_envelope(
            tenant=TENANT, service="meeting", event="public.meeting.updated",
            payload=public_pb2.PublicMeetingUpdated(meeting=snapshot, version=version),
            traceparent=None,
        )
        await js.publish(subject, envelope.to_json(), headers={"Nats-Msg-Id": envelope.id})
    finally:
        await nc.drain()


# ---- client processes -------------------------------------------------------------------


async def _viewer(port: int, path: str, gate: asyncio.Semaphore, opened: list[int],
                  all_open: asyncio.Event, total: int) -> float | None:
    """One live viewer: open, read the first snapshot, then wait for the result's event."""
    marker = f"\nid: {RESULT_VERSION}\r\n".encode()
    async with gate:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        buffer = b""
        while b"event: meeting" not in buffer or not buffer.endswith(b"\r\n\r\n"):
            chunk = await reader.read(65536)
            if not chunk:
                raise ConnectionError(buffer[:200].decode(errors="replace"))
            buffer += chunk
        if not buffer.startswith(b"HTTP/1.1 200"):
            raise ConnectionError(buffer.split(b"\r\n", 1)[0].decode(errors="replace"))
    opened[0] += 1
    if opened[0] == total:
        all_open.set()
    tail = buffer[-len(marker):]
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return None
            if marker in tail + chunk:
                return time.monotonic()
            tail = (tail + chunk)[-len(marker):]
    finally:
        writer.close()


async def _client(conn: Connection, port: int, path: str, count: int, wait: float) -> None:
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    opened, all_open = [0], asyncio.Event()
    viewers = [asyncio.create_task(_viewer(port, path, gate, opened, all_open, count))
               for _ in range(count)]
    opening = asyncio.create_task(all_open.wait())
    await asyncio.wait([opening, *viewers], return_when=asyncio.FIRST_COMPLETED)
    if not all_open.is_set():
        failed = next(t for t in viewers if t.done())
        conn.send(("failed", repr(failed.exception() or "stream ended early")))
        return
    conn.send(("open", count))
    done, _ = await asyncio.wait(viewers, timeout=wait)
    arrivals = [t.result() for t in done if t.exception() is None and t.result() is not None]
    conn.send(("arrived", arrivals))
    for task in viewers:
        task.cancel()


def client_process(conn: Connection, port: int, path: str, count: int, wait: float) -> None:
    """Entry point of one client process (uvloop when present, as the portal uses it)."""
    raise_fd_limit()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_client(conn, port, path, count, wait))


# ---- the run -----------------------------------------------------------------------------


async def wait_for_meeting(base: str, meeting_id: str, version: int) -> None:
    """Until the portal's read model has the meeting (it arrives only as an event)."""
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        for _ in range(600):
            try:
                answer = await http.get(f"/api/v1/{TENANT}/meetings/{meeting_id}")
                if answer.status_code == 200 and answer.json().get("version", version) >= version:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the portal never showed the meeting")


async def run(args: argparse.Namespace, nats: NatsServer, port: int,
              pid: int) -> tuple[list[float], int, float, float]:
    """Open the streams, publish the result; returns delays (ms), missing, RSS before/after."""
    meeting_id = uuid.uuid4().hex
    await publish(nats.url, meeting(meeting_id, closed=False), 1)
    await wait_for_meeting(f"http://127.0.0.1:{port}", meeting_id, 1)
    portal = psutil.Process(pid)
    rss_before = portal.memory_info().rss
    path = f"/{TENANT}/sitzungen/{meeting_id}/live"
    shares = [args.viewers // args.clients + (i < args.viewers % args.clients)
              for i in range(args.clients)]
    ctx = multiprocessing.get_context("spawn")
    pipes, procs = [], []
    for share in shares:
        ours, theirs = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(theirs, port, path, share, args.wait))
        proc.start()
        pipes.append(ours)
        procs.append(proc)
    try:
        began = time.monotonic()
        for pipe in pipes:
            kind, value = await asyncio.to_thread(pipe.recv)
            if kind != "open":
                raise SystemExit(f"a client could not open its streams: {value}")
        print(f"{args.viewers} streams open in {time.monotonic() - began:.1f} s")
        await asyncio.sleep(args.settle)
        rss_after = portal.memory_info().rss
        cpu = portal.cpu_times()
        published = time.monotonic()
        await publish(nats.url, meeting(meeting_id, closed=True), RESULT_VERSION)
        arrivals: list[float] = []
        for pipe in pipes:
            kind, value = await asyncio.to_thread(pipe.recv)
            arrivals.extend(value)
        spent = sum(portal.cpu_times()[:2]) - sum(cpu[:2])
        print(f"portal CPU during delivery: {spent:.2f} s")
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
    delays = [(t - published) * 1000 for t in arrivals]
    return delays, args.viewers - len(delays), rss_before, rss_after


def main() -> None:
    """Parse arguments, start the pieces, run, print figures and the machine-readable line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds to wait with all streams open before the result")
    parser.add_argument("--wait", type=float, default=30.0,
                        help="seconds a client waits for the result before it counts it lost")
    parser.add_argument("--src", type=Path, help="a services/citizen-portal/src to run instead")
    args = parser.parse_args()
    raise_fd_limit()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < args.viewers + 200:
        raise SystemExit(f"the hard limit on open files ({hard}) is below {args.viewers} "
                         "streams; raise it (ulimit -Hn, LimitNOFILE=) or use fewer --viewers")
    with tempfile.TemporaryDirectory() as tmp:
        nats = NatsServer(Path(tmp) / "nats").start()
        port = free_port()
        limit = str(args.viewers + 100)
        env = {**os.environ, "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/portal.sqlite3",
               "PORTAL_NATS_URL": nats.url, "PORTAL_HTTP_PORT": str(port),
               "PORTAL_DATA_DIR": tmp, "PORTAL_LOG_LEVEL": "WARNING",
               "PORTAL_MEETING_GRPC_TARGET": f"127.0.0.1:{free_port()}",
               "PORTAL_MAX_SSE_STREAMS": limit, "PORTAL_SSE_STREAMS_PER_TOWN": limit,
               "PORTAL_SSE_STREAMS_PER_CLIENT": limit}
        if args.src:
            env["PYTHONPATH"] = str(args.src.resolve())
        proc = subprocess.Popen([sys.executable, "-m", "ratsraum_portal"], env=env)
        try:
            delays, missing, rss_before, rss_after = asyncio.run(
                run(args, nats, port, proc.pid))
        finally:
            proc.terminate()
            proc.wait()
            nats.stop()
    if missing:
        print(f"{missing} of {args.viewers} viewers did not get the result within {args.wait} s")
    if not delays:
        raise SystemExit("no viewer got the result")
    p50, p99, worst = percentile(delays, 50), percentile(delays, 99), max(delays)
    rss_mb = rss_after / 1_048_576
    per_viewer_kb = (rss_after - rss_before) / 1024 / args.viewers
    within = sum(d <= 1000 for d in delays)
    print(f"result reached {len(delays)} of {args.viewers} viewers; p50 {p50:.0f} ms, p99 "
          f"{p99:.0f} ms, max {worst:.0f} ms; {within} within 1 s; portal RSS {rss_mb:.0f} MB "
          f"({rss_before / 1_048_576:.0f} MB without streams, {per_viewer_kb:.1f} KB per viewer)")
    print(f"bench: kind=portal_fanout viewers={args.viewers} p50_ms={p50:.0f} p99_ms={p99:.0f} "
          f"max_ms={worst:.0f} rss_mb={rss_mb:.0f} kb_per_viewer={per_viewer_kb:.1f} "
          f"missing={missing}")


if __name__ == "__main__":
    main()
