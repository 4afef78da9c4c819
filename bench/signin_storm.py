"""Benchmark: a sign-in storm. N members of M towns sign in through identity at once.

Starts a real identity process (SQLite in a temporary folder; argon2id at its production
settings) seeded with M generated towns of N members in all, then lets every member sign in
through the real authorization code flow with PKCE (discovery, login page, password form,
redirect, token exchange), each with its own HTTP client as a browser would, at most
--parallel at a time. Prints sign-ins per second and the p50/p99 time of one sign-in, and
ends with one machine-readable line:

    bench: kind=signin users=N per_s=... p99_ms=...

Usage: python bench/signin_storm.py [--users 3000] [--towns 100] [--parallel 64]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

import httpx

from ratsraum_common import demo
from ratsraum_devstack.oidc_login import login
from ratsraum_devstack.ports import free_port

HOST = "127.0.0.1"
# Never visited: the helper reads the code off the redirect.
REDIRECT_URI = "http://127.0.0.1:9/auth/callback"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def towns(users: int, count: int, passwords_file: Path) -> list[demo.TownSeed]:
    """`count` towns sharing `users` members between them, each with unique usernames."""
    seeds = []
    for t in range(count):
        tenant = f"storm{t:03d}"
        size = users // count + (1 if t < users % count else 0)
        people = tuple(
            demo.DemoPerson(f"{tenant}-m{n:05d}", "Mitglied", f"Nr. {n}", ("member",), "",
                            tenant)
            for n in range(1, size + 1)
        )
        base = demo.generated_town(tenant, 1, passwords_file)
        seeds.append(dataclasses.replace(base, people=people))
    return seeds


def start_identity(data: Path, port: int, seed_files: list[Path],
                   log: BinaryIO) -> subprocess.Popen[bytes]:
    """identity as its own process, logging warnings only."""
    env = {
        **os.environ,
        "IDENTITY_DATA_DIR": str(data), "IDENTITY_HTTP_HOST": HOST,
        "IDENTITY_HTTP_PORT": str(port), "IDENTITY_ISSUER": f"http://{HOST}:{port}",
        "IDENTITY_SEED_FILES": json.dumps([str(p) for p in seed_files]),
        "IDENTITY_WEB_REDIRECT_URIS": json.dumps([REDIRECT_URI]),
        "IDENTITY_LOG_LEVEL": "WARNING", "IDENTITY_LOG_FORMAT": "json",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ratsraum_identity"], env=env, stdout=log,
        stderr=subprocess.STDOUT,
    )


async def wait_ready(issuer: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll /readyz until identity has migrated and seeded every town."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"identity exited with {process.returncode}")
            try:
                if (await http.get(f"{issuer}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError("identity did not become ready")


async def storm(issuer: str, people: list[tuple[str, str, str]],
                parallel: int) -> tuple[float, list[float]]:
    """Sign everyone in; the wall time and each sign-in's duration in seconds."""
    gate = asyncio.Semaphore(parallel)
    durations: list[float] = []

    async def one(tenant: str, username: str, password: str) -> None:
        async with gate, httpx.AsyncClient(timeout=300.0) as browser:
            began = time.perf_counter()
            await login(browser, issuer=issuer, client_id=demo.WEB_CLIENT_ID,
                        redirect_uri=REDIRECT_URI, username=username, password=password,
                        tenant=tenant)
            durations.append(time.perf_counter() - began)

    started = time.perf_counter()
    await asyncio.gather(*(one(*person) for person in people))
    return time.perf_counter() - started, durations


async def run(args: argparse.Namespace) -> None:
    """Seed, start identity, run the storm, print the figures."""
    with tempfile.TemporaryDirectory(prefix="ratsraum-signin-") as tmp:
        data = Path(tmp)
        passwords_file = data / "logins.json"
        seeds = towns(args.users, args.towns, passwords_file)
        passwords = {p.username: secrets.token_urlsafe(12) for s in seeds for p in s.people}
        passwords_file.write_text(json.dumps(passwords), encoding="utf-8")
        files = []
        for seed in seeds:
            path = data / f"{seed.tenant}.json"
            path.write_text(seed.to_json(), encoding="utf-8")
            files.append(path)
        port = free_port()
        issuer = f"http://{HOST}:{port}"
        log = (data / "identity.log").open("wb")
        process = start_identity(data, port, files, log)
        try:
            began = time.perf_counter()
            await wait_ready(issuer, process, timeout=120 + args.users * 0.1)
            print(f"identity ready with {args.users} members of {args.towns} towns "
                  f"in {time.perf_counter() - began:.1f}s", flush=True)
            people = [(s.tenant, p.username, passwords[p.username])
                      for s in seeds for p in s.people]
            wall, durations = await storm(issuer, people, args.parallel)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
    per_s = len(durations) / wall
    p50, p99 = percentile(durations, 50) * 1000, percentile(durations, 99) * 1000
    print(f"{len(durations)} sign-ins in {wall:.1f}s: {per_s:.1f}/s, "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms (at most {args.parallel} in flight)")
    print(f"bench: kind=signin users={len(durations)} per_s={per_s:.1f} p99_ms={p99:.0f}")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--towns", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=64,
                        help="sign-ins in flight at once (browsers mid-sign-in)")
    args = parser.parse_args()
    if args.users < args.towns or args.towns < 1:
        parser.error("need at least one member per town")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
