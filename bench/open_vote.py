"""Benchmark: N members cast concurrently in one open vote through meeting's public API.

Starts the whole system (every service its own process, SQLite by default or a throwaway
PostgreSQL with --postgres) with a generated town of N members, signs everyone in through
the real OIDC code flow, records them present, opens a vote, lets all N cast at once, closes
the vote and measures how long the citizen portal's live stream takes to show the result.
Prints the figures and ends with one machine-readable line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ratsraum_common import demo
from ratsraum_devstack.oidc_login import login
from ratsraum_devstack.stack import Stack, StackConfig
from tests.e2e.journey import SseListener, item_of

TENANT = "lasttest"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def sign_in_all(stack: Stack, town: demo.TownSeed, passwords: dict[str, str],
                      parallel: int) -> dict[str, str]:
    """Access tokens for every person of the town, through the real code flow."""
    gate = asyncio.Semaphore(parallel)
    tokens: dict[str, str] = {}

    async def one(username: str) -> None:
        # A client per person: its cookie jar is that person's browser (CSRF cookie).
        async with gate, httpx.AsyncClient(timeout=60.0) as http:
            result = await login(
                http, issuer=stack.config.issuer, client_id=demo.WEB_CLIENT_ID,
                redirect_uri=stack.config.redirect_uri, username=username,
                password=passwords[username], tenant=town.tenant)
            tokens[username] = result.access_token

    await asyncio.gather(*(one(p.username) for p in town.people))
    return tokens


async def run(voters: int, use_postgres: bool, pythonpath: Path | None = None) -> dict[str, float]:
    """Run one benchmark round; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="ratsraum-bench-") as tmp:
        data = Path(tmp)
        passwords_file = data / "bench-logins.json"
        town = demo.generated_town(TENANT, voters, passwords_file)
        passwords = {p.username: secrets.token_urlsafe(12) for p in town.people}
        passwords_file.write_text(json.dumps(passwords))
        seed_file = data / "town.json"
        seed_file.write_text(town.to_json(), encoding="utf-8")
        seeds = json.dumps([str(seed_file)])
        databases: dict[str, str] = {}
        cluster = None
        if use_postgres:
            from ratsraum_devstack.postgres import PostgresCluster

            cluster = PostgresCluster().start()
            databases = {name: cluster.create_database(name)
                         for name in ("identity", "meeting", "voting", "portal")}
        config = StackConfig.on_free_ports(
            data, log_format="json", database_urls=databases,
            # identity hashes every member's password (argon2id) before it is ready
            ready_timeout_seconds=60 + voters * 0.3,
            extra_env={"IDENTITY_SEED_FILES": seeds, "MEETING_SEED_FILES": seeds,
                       "MEETING_LOG_LEVEL": "WARNING", "VOTING_LOG_LEVEL": "WARNING",
                       "PORTAL_LOG_LEVEL": "WARNING", "IDENTITY_LOG_LEVEL": "WARNING",
                       # --pythonpath: packages that shadow the checkout's (before/after runs)
                       **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})},
        )
        try:
            with Stack(config) as stack:
                return await measure(stack, town, passwords)
        finally:
            if cluster is not None:
                cluster.stop()


async def measure(stack: Stack, town: demo.TownSeed,
                  passwords: dict[str, str]) -> dict[str, float]:
    """Sign in, attend, open, cast concurrently, close; returns the figures."""
    c = stack.config
    started = time.perf_counter()
    tokens = await sign_in_all(stack, town, passwords, parallel=8)
    print(f"signed in {len(tokens)} people in {time.perf_counter() - started:.1f}s",
          flush=True)
    members = [p for p in town.people if p.is_member]
    item = town.agenda[0]
    meeting = f"/api/v1/meetings/{town.meeting_id}"
    async with httpx.AsyncClient(base_url=c.url(c.meeting_port), timeout=60.0) as api:
        clerk = {"Authorization": f"Bearer {tokens['clerk']}"}
        (await api.post(f"{meeting}/open", headers=clerk)).raise_for_status()
        gate = asyncio.Semaphore(16)

        async def attend(subject: str) -> None:
            async with gate:
                r = await api.put(f"{meeting}/attendance/{subject}", headers=clerk,
                                  json={"presence": "remote"})
                r.raise_for_status()

        t_attend = time.perf_counter()
        await asyncio.gather(*(attend(p.subject) for p in members))
        print(f"recorded {len(members)} present in {time.perf_counter() - t_attend:.1f}s",
              flush=True)
        r = await api.post(f"{meeting}/agenda-items/{item.id}/polls", headers=clerk,
                           json={"method": "open", "majority_rule": "simple"})
        r.raise_for_status()
        poll_id = r.json()["id"]
        live = SseListener(f"{c.url(c.portal_port)}/{town.tenant}/sitzungen/"
                           f"{town.meeting_id}/live")
        await live.start()

        latencies: list[float] = []
        failures = 0
        # Each member's phone has its own connection; open them before the vote, as the
        # app does when it shows the poll.
        phones = {p.username: httpx.AsyncClient(
            base_url=c.url(c.meeting_port), timeout=60.0,
            headers={"Authorization": f"Bearer {tokens[p.username]}"}) for p in members}

        async def show_poll(person: demo.DemoPerson) -> None:
            async with gate:
                r = await phones[person.username].get(f"/api/v1/polls/{poll_id}")
                r.raise_for_status()

        await asyncio.gather(*(show_poll(p) for p in members))

        async def cast(person: demo.DemoPerson, choice: str) -> None:
            nonlocal failures
            t0 = time.perf_counter()
            response = await phones[person.username].post(
                f"/api/v1/polls/{poll_id}/ballots", json={"choice": choice},
                headers={"Idempotency-Key": uuid.uuid4().hex})
            latencies.append(time.perf_counter() - t0)
            if response.status_code not in (200, 201):
                failures += 1

        choices = ["yes", "no", "yes", "abstain"]
        print(f"casting {len(members)} ballots…", flush=True)
        t_cast = time.perf_counter()
        await asyncio.gather(*(cast(p, choices[i % len(choices)])
                               for i, p in enumerate(members)))
        cast_wall = time.perf_counter() - t_cast
        await asyncio.gather(*(phone.aclose() for phone in phones.values()))

        t_close = time.monotonic()
        r = await api.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
        r.raise_for_status()
        counted = sum(x["count"] for x in r.json()["result"]["counts"])
        arrived, _ = await live.wait_for(
            lambda s: (item_of(s, item.id) or {}).get("result") is not None, timeout=60)
        await live.stop()
    if failures or counted != len(members):
        raise SystemExit(f"{failures} casts failed; {counted} of {len(members)} counted")
    return {
        "voters": len(members),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "ballots_per_s": len(members) / cast_wall,
        "close_to_update_ms": (arrived - t_close) * 1000,
    }


def main() -> int:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--pythonpath", type=Path,
                        help="a folder of packages the services import instead (before/after)")
    args = parser.parse_args()
    figures = asyncio.run(run(args.voters, args.postgres, args.pythonpath))
    database = "postgresql" if args.postgres else "sqlite"
    print(f"\nopen vote, {figures['voters']:.0f} voters, {database}, "
          f"{platform.machine()} with {__import__('os').cpu_count()} cores")
    for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "ballots_per_s",
                "close_to_update_ms"):
        print(f"  {key:<20} {figures[key]:10.1f}")
    print(f"bench: voters={figures['voters']:.0f} p50_ms={figures['p50_ms']:.1f} "
          f"p95_ms={figures['p95_ms']:.1f} p99_ms={figures['p99_ms']:.1f} "
          f"ballots_per_s={figures['ballots_per_s']:.0f} "
          f"close_to_update_ms={figures['close_to_update_ms']:.0f} db={database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
