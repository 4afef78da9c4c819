"""Benchmark: N members cast in one open vote through meeting's public API.

Starts the whole system (every service its own process, SQLite by default or a throwaway
PostgreSQL with --postgres; --replicas N runs N meeting processes) with a generated town of
N members, signs everyone in through the real OIDC code flow, records them present, opens a
vote, lets all N cast, closes the vote and measures how long the citizen portal's live stream
takes to show the result.

Casting is either a burst (all N at the same moment: saturation throughput) or, with
--rate R, paced open-loop arrivals at R ballots/s whose latency counts from each ballot's
scheduled send time. CPU seconds of every process during the cast phase are printed per
ballot. Ends with one machine-readable line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped]
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpload

from ratsraum_common import demo
from ratsraum_common.serve import GC_THRESHOLDS
from ratsraum_devstack.oidc_login import login
from ratsraum_devstack.stack import Stack, StackConfig
from tests.e2e.journey import SseListener, item_of

TENANT = "lasttest"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children so far."""
    try:
        process = psutil.Process(pid)
        total = 0.0
        for p in [process, *process.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def cpu_snapshot(stack: Stack) -> dict[str, float]:
    """CPU seconds so far of every service process, NATS and this load generator."""
    figures = {name: cpu_seconds(p.pid) for name, p in stack.processes.items()}
    nats = stack.nats.process
    if nats is not None:
        figures["nats"] = cpu_seconds(nats.pid)
    figures["client"] = time.process_time()
    return figures


def start_profiles(stack: Stack, folder: Path | None) -> list[subprocess.Popen[bytes]]:
    """py-spy (found on PATH or via PY_SPY) sampling every service for the cast phase."""
    if folder is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    spy = os.environ.get("PY_SPY", "py-spy")
    return [subprocess.Popen(
        [spy, "record", "--pid", str(p.pid), "--rate", os.environ.get("PY_SPY_RATE", "100"),
         "--nonblocking", "--format", "raw", "--output", str(folder / f"{name}.txt")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, p in stack.processes.items() if name.startswith(("meeting", "voting"))]


def stop_profiles(profilers: list[subprocess.Popen[bytes]]) -> None:
    """Stop the samplers; each writes its file on SIGINT."""
    for spy in profilers:
        spy.send_signal(signal.SIGINT)
    for spy in profilers:
        spy.wait(30)


async def sign_in_all(stack: Stack, town: demo.TownSeed, passwords: dict[str, str],
                      parallel: int) -> dict[str, str]:
    """Access tokens for every person of the town, through the real code flow.

    identity verifies each password with argon2id (its production settings) in worker
    threads; enough sign-ins in flight keep both cores busy with that, more do not help.
    """
    gate = asyncio.Semaphore(parallel)
    tokens: dict[str, str] = {}

    async def one(username: str) -> None:
        # A client per person: its cookie jar is that person's browser (CSRF cookie).
        async with gate, httpx.AsyncClient(timeout=120.0) as http:
            result = await login(
                http, issuer=stack.config.issuer, client_id=demo.WEB_CLIENT_ID,
                redirect_uri=stack.config.redirect_uri, username=username,
                password=passwords[username], tenant=town.tenant)
            tokens[username] = result.access_token

    await asyncio.gather(*(one(p.username) for p in town.people))
    return tokens


async def run(args: argparse.Namespace) -> dict[str, float]:
    """Run one benchmark round; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="ratsraum-bench-") as tmp:
        data = Path(tmp)
        passwords_file = data / "bench-logins.json"
        town = demo.generated_town(TENANT, args.voters, passwords_file)
        passwords = {p.username: secrets.token_urlsafe(12) for p in town.people}
        passwords_file.write_text(json.dumps(passwords))
        seed_file = data / "town.json"
        seed_file.write_text(town.to_json(), encoding="utf-8")
        seeds = json.dumps([str(seed_file)])
        databases: dict[str, str] = {}
        cluster = None
        if args.postgres:
            from ratsraum_devstack.postgres import PostgresCluster

            cluster = PostgresCluster().start()
            databases = {name: cluster.create_database(name)
                         for name in ("identity", "meeting", "voting", "portal")}
        config = StackConfig.on_free_ports(
            data, log_format="json", database_urls=databases,
            meeting_replicas=args.replicas,
            # identity hashes every member's password (argon2id) before it is ready
            ready_timeout_seconds=60 + args.voters * 0.3,
            extra_env={"IDENTITY_SEED_FILES": seeds, "MEETING_SEED_FILES": seeds,
                       "MEETING_LOG_LEVEL": "WARNING", "VOTING_LOG_LEVEL": "WARNING",
                       "PORTAL_LOG_LEVEL": "WARNING", "IDENTITY_LOG_LEVEL": "WARNING",
                       # --pythonpath: packages that shadow the checkout's (before/after runs)
                       **({"PYTHONPATH": str(args.pythonpath)} if args.pythonpath else {})},
        )
        try:
            with Stack(config) as stack:
                return await measure(stack, town, passwords, args.rate, args.profile)
        finally:
            if cluster is not None:
                cluster.stop()


async def set_up(stack: Stack, town: demo.TownSeed, passwords: dict[str, str],
                 api: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    """Sign everyone in, open the meeting, record all members present, open the vote."""
    started = time.perf_counter()
    tokens = await sign_in_all(stack, town, passwords, parallel=16)
    print(f"signed in {len(tokens)} people in {time.perf_counter() - started:.1f}s",
          flush=True)
    meeting = f"/api/v1/meetings/{town.meeting_id}"
    clerk = {"Authorization": f"Bearer {tokens['clerk']}"}
    (await api.post(f"{meeting}/open", headers=clerk)).raise_for_status()
    members = [p for p in town.people if p.is_member]
    t_attend = time.perf_counter()
    # The clerk's list: the whole assembly recorded in one request (one public snapshot). In
    # the hall, with their own devices: a council meets hybrid only once the law's conditions
    # are recorded (docs/law.md, Sessions), and the cast path is the same either way.
    r = await api.put(f"{meeting}/attendance", headers=clerk, json=[
        {"person_id": p.subject, "presence": "in_room"} for p in members])
    r.raise_for_status()
    print(f"recorded {len(members)} present in {time.perf_counter() - t_attend:.1f}s",
          flush=True)
    r = await api.post(f"{meeting}/agenda-items/{town.agenda[0].id}/polls", headers=clerk,
                       json={"method": "open", "majority_rule": "simple"})
    r.raise_for_status()
    return tokens, r.json()["id"]


async def measure(stack: Stack, town: demo.TownSeed, passwords: dict[str, str],
                  rate: float | None, profile: Path | None) -> dict[str, float]:
    """Set up, cast (burst or paced), close; returns the figures."""
    c = stack.config
    members = [p for p in town.people if p.is_member]
    item = town.agenda[0]
    async with httpx.AsyncClient(base_url=c.url(c.meeting_port), timeout=120.0) as api:
        tokens, poll_id = await set_up(stack, town, passwords, api)
        live = SseListener(f"{c.url(c.portal_port)}/{town.tenant}/sitzungen/"
                           f"{town.meeting_id}/live")
        await live.start()
        # Each member's phone has its own keep-alive connection, spread over the meeting
        # replicas as a load balancer would; the app shows the poll before the vote.
        urls = stack.meeting_urls
        phones = [await httpload.connect(urls[i % len(urls)]) for i in range(len(members))]
        auth = [{"Authorization": f"Bearer {tokens[p.username]}"} for p in members]
        shown = await asyncio.gather(*(phone.request(httpload.build(
            "GET", urls[i % len(urls)], f"/api/v1/polls/{poll_id}", auth[i]))
            for i, phone in enumerate(phones)))
        assert all(status == 200 for status, _ in shown), "members cannot see the poll"
        choices = ["yes", "no", "yes", "abstain"]
        jobs = [(phone, httpload.build(
            "POST", urls[i % len(urls)], f"/api/v1/polls/{poll_id}/ballots",
            {**auth[i], "Idempotency-Key": uuid.uuid4().hex}, {"choice": choices[i % 4]}))
            for i, phone in enumerate(phones)]
        mode = "burst" if rate is None else f"paced at {rate:.0f}/s"
        print(f"casting {len(members)} ballots ({mode})…", flush=True)
        # The load generator must not time its own pauses: with 2,000 connections and their
        # tasks alive, its collector would stall it as it does a service (serve.tune_gc).
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        profilers = start_profiles(stack, profile)
        cpu_before = cpu_snapshot(stack)
        result = await httpload.fire(jobs, rate=rate, ok=lambda s: s in (200, 201))
        cpu_after = cpu_snapshot(stack)
        stop_profiles(profilers)
        await asyncio.gather(*(phone.close() for phone in phones))

        t_close = time.monotonic()
        r = await api.post(f"/api/v1/polls/{poll_id}/close",
                           headers={"Authorization": f"Bearer {tokens['clerk']}"})
        r.raise_for_status()
        counted = sum(x["count"] for x in r.json()["result"]["counts"])
        arrived, _ = await live.wait_for(
            lambda s: (item_of(s, item.id) or {}).get("result") is not None, timeout=60)
        await live.stop()
    if result.failures or counted != len(members):
        raise SystemExit(f"failed casts by status {result.failures}; "
                         f"{counted} of {len(members)} counted")
    latencies = result.latencies
    figures = {
        "voters": len(members), "rate": rate or 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "ballots_per_s": len(members) / result.wall,
        "close_to_update_ms": (arrived - t_close) * 1000,
        "load": os.getloadavg()[0],
    }
    for name, after in cpu_after.items():
        figures[f"cpu_ms_per_ballot_{name}"] = (after - cpu_before.get(name, 0.0)) \
            / len(members) * 1000
    return figures


def main() -> int:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--rate", type=float,
                        help="paced mode: ballots per second (default: all at once)")
    parser.add_argument("--replicas", type=int, default=1, help="meeting processes")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--profile", type=Path,
                        help="write py-spy samples of meeting and voting during the cast phase "
                             "to this folder (py-spy on PATH or PY_SPY=/path/to/py-spy)")
    parser.add_argument("--pythonpath", type=Path,
                        help="a folder of packages the services import instead (before/after)")
    args = parser.parse_args()
    figures = uvloop.run(run(args))
    database = "postgresql" if args.postgres else "sqlite"
    mode = "burst" if args.rate is None else "paced"
    print(f"\nopen vote, {figures['voters']:.0f} voters, {mode}, {database}, "
          f"{args.replicas} meeting process(es), {platform.machine()} with "
          f"{os.cpu_count()} cores, load average {figures['load']:.1f}")
    for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "ballots_per_s",
                "close_to_update_ms"):
        print(f"  {key:<20} {figures[key]:10.1f}")
    cpu = {k.removeprefix("cpu_ms_per_ballot_"): v for k, v in figures.items()
           if k.startswith("cpu_ms_per_ballot_")}
    print("  CPU ms per ballot    " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
          + f"; total {sum(cpu.values()):.2f}")
    print(f"bench: voters={figures['voters']:.0f} mode={mode} rate={figures['rate']:.0f} "
          f"p50_ms={figures['p50_ms']:.1f} p95_ms={figures['p95_ms']:.1f} "
          f"p99_ms={figures['p99_ms']:.1f} ballots_per_s={figures['ballots_per_s']:.0f} "
          f"close_to_update_ms={figures['close_to_update_ms']:.0f} db={database} "
          f"replicas={args.replicas} load={figures['load']:.1f} "
          + " ".join(f"cpu_ms_{k}={v:.2f}" for k, v in cpu.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
