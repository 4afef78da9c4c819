"""Chaos rounds: kill -9 one part of the running system while members vote, then check.

Each round opens a vote (open and secret in turn) on its own agenda item, lets every member
cast until acknowledged, and at a random moment kills one of meeting, voting, the portal,
identity, a guardian or nats-server with SIGKILL, waits a moment and starts it again. After
the close: no acknowledged ballot lost or doubled (tally, ballots_cast, the audit record's
ballots or the published secret record's codes), voting's audit verifier passes with its
published key, and the portal converges to the result. The seed is printed: the same seed
replays the same targets and moments.

`make chaos` runs the long form; `tests/chaos` runs a short one in `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from ratsraum_common import demo
from ratsraum_devstack import chaos_voters as v
from ratsraum_devstack.oidc_login import login
from ratsraum_devstack.stack import Stack, StackConfig

TENANT = "chaos"
TARGETS = ("meeting", "voting", "citizen-portal", "identity", "guardian", "nats")
SERVICES = ("voting", "identity", "meeting", "citizen-portal")


@dataclass(frozen=True)
class Plan:
    """What to run: the seed makes targets and moments repeatable."""

    seed: int
    rounds: int
    voters: int
    secret_voters: int
    round_seconds: float = 240.0
    cast_spread_seconds: float = 4.0


@dataclass
class Figures:
    """What a run did and found."""

    rounds: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    ballots_checked: int = 0
    attempts: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def chaos_town(data: Path, voters: int, rounds: int) -> tuple[demo.TownSeed, dict[str, str]]:
    """A generated town with one agenda item per round and fresh passwords."""
    passwords_file = data / "chaos-logins.json"
    town = demo.generated_town(TENANT, voters, passwords_file)
    agenda = tuple(demo.DemoAgendaItem(f"o{n}", f"Ö {n}", f"Chaos-Runde {n}", True, True,
                                       TENANT) for n in range(1, rounds + 1))
    town = replace(town, agenda=agenda)
    passwords = {p.username: secrets.token_urlsafe(12) for p in town.people}
    passwords_file.write_text(json.dumps(passwords))
    return town, passwords


class Faults:
    """Kills and restarts one part of the stack, as a crash and a supervisor would."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def kill(self, target: str, rng: random.Random) -> str:
        """SIGKILL the target; returns which process exactly (a guardian is drawn)."""
        if target == "nats":
            process = self.stack.nats.process
            assert process is not None
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            return "nats"
        if target == "guardian":
            index = rng.randrange(len(self.stack.guardians.processes))
            guardian = self.stack.guardians.processes[index]
            guardian.send_signal(signal.SIGKILL)
            guardian.wait(30)
            return f"guardian-{index}"
        self.stack.kill_service(target)
        return target

    def restart(self, killed: str) -> None:
        """Start it again and wait until the whole stack answers ready."""
        timeout = self.stack.config.ready_timeout_seconds
        if killed == "nats":
            self.stack.nats.start(self.stack.log_dir / "nats.log")
        elif killed.startswith("guardian-"):
            self.stack.guardians.restart(int(killed.removeprefix("guardian-")))
            self.stack.guardians.wait_ready(timeout)
        else:
            self.stack.start_service(killed)
        for name in SERVICES:
            self.stack.wait_ready(name, timeout)


async def sign_in(stack: Stack, town: demo.TownSeed, passwords: dict[str, str]
                  ) -> dict[str, str]:
    """Access tokens for everyone through the real code flow (a few at a time)."""
    gate = asyncio.Semaphore(8)
    tokens: dict[str, str] = {}

    async def one(username: str) -> None:
        async with gate, httpx.AsyncClient(timeout=120.0) as http:
            tokens[username] = (await login(
                http, issuer=stack.config.issuer, client_id=demo.WEB_CLIENT_ID,
                redirect_uri=stack.config.redirect_uri, username=username,
                password=passwords[username], tenant=town.tenant)).access_token

    await asyncio.gather(*(one(p.username) for p in town.people))
    return tokens


async def prepare(api: httpx.AsyncClient, town: demo.TownSeed, clerk: str) -> None:
    """Open the meeting and record every member present in the hall."""
    auth = {"Authorization": f"Bearer {clerk}"}
    meeting = f"/api/v1/meetings/{town.meeting_id}"
    (await api.post(f"{meeting}/open", headers=auth)).raise_for_status()
    (await api.put(f"{meeting}/attendance", headers=auth, json=[
        {"person_id": p.subject, "presence": "in_room"} for p in town.people
        if p.is_member])).raise_for_status()


async def one_round(stack: Stack, faults: Faults, *, number: int, plan: Plan,
                    town: demo.TownSeed, tokens: dict[str, str], schedule: list[str],
                    pool: ProcessPoolExecutor,
                    rng: random.Random, figures: Figures, work: Path) -> None:
    """Open, cast under one fault, close, check; problems go into the figures."""
    c = stack.config
    secret = number % 2 == 1
    target = schedule[number]
    item = town.agenda[number]
    clerk = tokens["clerk"]
    # Keyed by subject: the audit record names voters by their subject.
    members = [p.subject for p in town.people if p.is_member]
    voters = members[:plan.secret_voters] if secret else members[:plan.voters]
    deadline = time.monotonic() + plan.round_seconds
    async with httpx.AsyncClient(base_url=c.url(c.meeting_port), timeout=30.0) as api:
        opened = await api.post(
            f"/api/v1/meetings/{town.meeting_id}/agenda-items/{item.id}/polls",
            headers={"Authorization": f"Bearer {clerk}"},
            json={"method": "secret" if secret else "open", "majority_rule": "simple"})
        opened.raise_for_status()
        poll_id = opened.json()["id"]
        # Members cast over a few seconds; the kill falls somewhere in that window.
        offsets = [rng.uniform(0.0, plan.cast_spread_seconds) for _ in voters]
        at = rng.uniform(0.1, plan.cast_spread_seconds * 0.8)
        down = rng.uniform(0.2, 2.0)
        label = f"round {number + 1}: {'secret' if secret else 'open'} poll, " \
                f"{len(voters)} voters, kill -9 {target} at +{at:.2f}s for {down:.2f}s"
        print(label, flush=True)

        async def fault() -> None:
            await asyncio.sleep(at)
            killed = await asyncio.to_thread(faults.kill, target, rng)
            figures.faults[killed] = figures.faults.get(killed, 0) + 1
            await asyncio.sleep(down)
            await asyncio.to_thread(faults.restart, killed)

        casts, _ = await asyncio.gather(
            v.cast_all(api, poll_id=poll_id, secret=secret,
                       tokens={s: tokens[s] for s in voters}, offsets=offsets, pool=pool,
                       deadline=deadline),
            fault())
        poll = await v.close_poll(api, poll_id=poll_id, clerk=clerk, deadline=deadline)
        problems = [f"{len(casts.refused)} ballots refused or never acknowledged: "
                    f"{dict(list(casts.refused.items())[:5])}"] if casts.refused else []
        problems += v.tally_problems(poll, casts)
        record = None
        if secret:
            record = work / f"record-{number}"
            problems += await v.secret_record_problems(api, poll_id=poll_id, clerk=clerk,
                                                       casts=casts, folder=record)
    problems += await v.audit_problems(f"{c.host}:{c.voting_grpc_port}", tenant=town.tenant,
                                       poll_id=poll_id, casts=casts, secret_record=record)
    problems += await v.portal_problems(c.url(c.portal_port), tenant=town.tenant,
                                        meeting_id=town.meeting_id, item_id=item.id,
                                        poll=poll, within=60.0)
    figures.rounds += 1
    figures.ballots_checked += len(casts.acknowledged)
    figures.attempts += casts.attempts
    figures.server_errors += casts.server_errors
    figures.statuses.update(casts.statuses)
    if casts.statuses[500]:
        problems.append(f"{casts.statuses[500]} answers were 500 (a crash, not a refusal)")
    figures.problems += [f"{label}: {p}" for p in problems]
    print(f"  {len(casts.acknowledged)} acknowledged, {casts.attempts} requests, "
          f"transient answers {dict(casts.statuses)}, {problems or 'OK'}", flush=True)


async def run(plan: Plan, data: Path) -> Figures:
    """Start a stack with the chaos town, run every round, stop it again."""
    town, passwords = chaos_town(data, plan.voters, plan.rounds)
    seed_file = data / "town.json"
    seed_file.write_text(town.to_json(), encoding="utf-8")
    seeds = json.dumps([str(seed_file)])
    config = StackConfig.on_free_ports(
        data / "stack", log_format="json", ready_timeout_seconds=90 + plan.voters * 0.3,
        extra_env={"IDENTITY_SEED_FILES": seeds, "MEETING_SEED_FILES": seeds,
                   # a long run outlasts the default 15 minutes of an access token
                   "IDENTITY_ACCESS_TOKEN_LIFETIME_SECONDS": "86400",
                   **{f"{s}_LOG_LEVEL": "WARNING"
                      for s in ("MEETING", "VOTING", "PORTAL", "IDENTITY")}})
    rng = random.Random(plan.seed)
    figures = Figures()
    started = time.monotonic()
    with Stack(config) as stack, v.encryption_pool() as pool:
        by_name = await sign_in(stack, town, passwords)
        tokens = {p.subject: by_name[p.username] for p in town.people}
        tokens["clerk"] = by_name["clerk"]
        async with httpx.AsyncClient(base_url=config.url(config.meeting_port),
                                     timeout=30.0) as api:
            await prepare(api, town, tokens["clerk"])
        faults = Faults(stack)
        # Every target once per six rounds, in a seeded order.
        schedule = [t for _ in range(0, plan.rounds, len(TARGETS))
                    for t in rng.sample(TARGETS, len(TARGETS))]
        for number in range(plan.rounds):
            await one_round(stack, faults, number=number, plan=plan, town=town, tokens=tokens,
                            schedule=schedule, pool=pool, rng=rng, figures=figures, work=data)
    figures.seconds = time.monotonic() - started
    return figures


def report(plan: Plan, figures: Figures) -> str:
    """One line with every figure, for docs/reliability.md."""
    faults = ", ".join(f"{k} {n}" for k, n in sorted(figures.faults.items()))
    return (f"chaos: seed={plan.seed} rounds={figures.rounds} voters={plan.voters} "
            f"secret_voters={plan.secret_voters} faults=[{faults}] "
            f"ballots_checked={figures.ballots_checked} requests={figures.attempts} "
            f"transient={dict(sorted(figures.statuses.items()))} "
            f"seconds={figures.seconds:.0f} problems={len(figures.problems)}")


def main(argv: list[str] | None = None) -> int:
    """Console entry point (`make chaos`): run, print the figures, exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--voters", type=int, default=200, help="members in open polls")
    parser.add_argument("--secret-voters", type=int, default=200,
                        help="members casting in secret polls (each encrypts on the client)")
    parser.add_argument("--seed", type=int, default=None, help="replay a run")
    parser.add_argument("--keep", type=Path, help="keep data and logs in this folder")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    plan = Plan(seed=seed, rounds=args.rounds, voters=args.voters,
                secret_voters=min(args.secret_voters, args.voters))
    print(f"chaos seed {seed} (replay: --seed {seed})", flush=True)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = asyncio.run(run(plan, args.keep))
    else:
        with tempfile.TemporaryDirectory(prefix="ratsraum-chaos-") as tmp:
            figures = asyncio.run(run(plan, Path(tmp)))
    for problem in figures.problems:
        print(f"PROBLEM {problem}")
    print(report(plan, figures))
    return 1 if figures.problems else 0


if __name__ == "__main__":
    sys.exit(main())
