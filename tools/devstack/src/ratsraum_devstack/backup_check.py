"""Back up a stack mid-session, restore into a fresh one, and verify every poll there.

Session on the first stack: an open poll cast and closed; a secret poll opened and cast by half
the members; then the backup (databases, key files, guardians' folders, the event stream);
then the other half casts (after the backup: those ballots are what a restore loses, by
design). The first stack stops. A second stack starts from the backup alone, on new ports
and folders: the clerk signs in again, the closed poll's tally and audit record verify with
the key published before the backup, the open secret poll is still open with exactly the
ballots of the backup; the other half casts again, the clerk closes, and the tally, audit
record, published election record and portal all agree.

`make backup-test` runs it (add --postgres for PostgreSQL); tests/chaos runs it short.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.grpcutil import channel
from ratsraum_devstack import backup as b
from ratsraum_devstack import chaos_voters as v
from ratsraum_devstack.chaos import chaos_town, prepare, sign_in
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_devstack.oidc_login import login
from ratsraum_devstack.stack import Stack, StackConfig

DEADLINE_SECONDS = 180.0


@dataclass
class Outcome:
    """What the check did and found."""

    polls_verified: int = 0
    ballots_checked: int = 0
    stream_messages: int = 0
    stream_restored: int = 0
    problems: list[str] = field(default_factory=list)


async def _audit_key(config: StackConfig) -> str:
    async with channel(f"{config.host}:{config.voting_grpc_port}") as ch:
        answer = await voting_pb2_grpc.VotingServiceStub(ch).GetAuditKey(
            voting_pb2.GetAuditKeyRequest(), timeout=10)
    return str(answer.public_key)


def _config(data: Path, voters: int, databases: dict[str, str], seeds: str) -> StackConfig:
    env = {"IDENTITY_ACCESS_TOKEN_LIFETIME_SECONDS": "3600",
           **{f"{s}_LOG_LEVEL": "WARNING" for s in ("MEETING", "VOTING", "PORTAL", "IDENTITY")}}
    if seeds:
        env |= {"IDENTITY_SEED_FILES": seeds, "MEETING_SEED_FILES": seeds}
    return StackConfig.on_free_ports(data, log_format="json", database_urls=databases,
                                     ready_timeout_seconds=90 + voters * 0.3, extra_env=env)


class Databases:
    """SQLite files in the data folder, or databases in a throwaway PostgreSQL cluster."""

    def __init__(self, postgres: bool) -> None:
        self.cluster = None
        if postgres:
            from ratsraum_devstack.postgres import PostgresCluster

            self.cluster = PostgresCluster().start()

    def fresh(self) -> dict[str, str]:
        """Empty databases for a stack (nothing to do for SQLite)."""
        if self.cluster is None:
            return {}
        return {name: self.cluster.create_database() for name in b.DATABASES}

    def back_up(self, config: StackConfig, target: Path) -> None:
        """Each service's database into the backup folder."""
        for name in b.DATABASES:
            if self.cluster is None:
                b.backup_sqlite(config.data_dir / f"{name}.sqlite3", target / f"{name}.sqlite3")
            else:
                b.backup_postgres(self.cluster.bin, config.database_urls[name],
                                  target / f"{name}.dump")

    def restore(self, backup: Path, data_dir: Path, urls: dict[str, str]) -> None:
        """Each database from the backup, before the services start."""
        for name in b.DATABASES:
            if self.cluster is None:
                shutil.copy2(backup / f"{name}.sqlite3", data_dir / f"{name}.sqlite3")
            else:
                b.restore_postgres(self.cluster.bin, backup / f"{name}.dump", urls[name])

    def stop(self) -> None:
        """Remove the cluster, if any."""
        if self.cluster is not None:
            self.cluster.stop()


async def check(*, voters: int, postgres: bool, work: Path) -> Outcome:
    """The whole session, backup, restore and verification; problems in the outcome."""
    town, passwords = chaos_town(work, voters, 2)
    (work / "town.json").write_text(town.to_json(), encoding="utf-8")
    seeds = json.dumps([str(work / "town.json")])
    members = [p.subject for p in town.people if p.is_member]
    first_half, second_half = members[: voters // 2 + 2], members[voters // 2 + 2:]
    open_item, secret_item = town.agenda
    outcome, saved = Outcome(), work / "backup"
    saved.mkdir()
    dbs = Databases(postgres)
    try:
        config = _config(work / "before", voters, dbs.fresh(), seeds)
        with Stack(config) as stack, v.encryption_pool() as pool:
            by_name = await sign_in(stack, town, passwords)
            tokens = {p.subject: by_name[p.username] for p in town.people}
            clerk = by_name["clerk"]
            api = httpx.AsyncClient(base_url=config.url(config.meeting_port), timeout=30.0)
            async with api:
                await prepare(api, town, clerk)
                open_poll, open_casts = await _vote(api, town, open_item.id, False, members,
                                                    tokens, clerk, pool, close=True)
                secret_id, secret_casts = await _vote(api, town, secret_item.id, True,
                                                      first_half, tokens, clerk, pool)
                key = await _audit_key(config)
                dbs.back_up(config, saved)
                b.backup_files(config.data_dir, saved)
                shutil.copytree(config.data_dir / "guardians", saved / "guardians")
                outcome.stream_messages = await b.backup_stream(stack.nats.url,
                                                                saved / b.STREAM_FILE)
                # After the backup: acknowledged here, and lost by the restore.
                await v.cast_all(api, poll_id=secret_id, secret=True, offsets=[0.0] * voters,
                                 tokens={s: tokens[s] for s in second_half}, pool=pool,
                                 deadline=_deadline())
        outcome.problems += await _restored(
            dbs, saved, town=town, voters=voters, key=key, passwords=passwords,
            work=work, polls=((open_poll, open_item.id, open_casts),
                              (secret_id, secret_item.id, secret_casts)),
            second_half=second_half, outcome=outcome)
    finally:
        dbs.stop()
    return outcome


def _deadline() -> float:
    return time.monotonic() + DEADLINE_SECONDS


async def _vote(api: httpx.AsyncClient, town: demo.TownSeed, item_id: str, secret: bool,
                voters: list[str], tokens: dict[str, str], clerk: str, pool: ProcessPoolExecutor,
                close: bool = False) -> tuple[str, v.Casts]:
    opened = await api.post(
        f"/api/v1/meetings/{town.meeting_id}/agenda-items/{item_id}/polls",
        headers={"Authorization": f"Bearer {clerk}"},
        json={"method": "secret" if secret else "open", "majority_rule": "simple"})
    opened.raise_for_status()
    poll_id = str(opened.json()["id"])
    casts = await v.cast_all(api, poll_id=poll_id, secret=secret, offsets=[0.0] * len(voters),
                             tokens={s: tokens[s] for s in voters}, pool=pool,
                             deadline=_deadline())
    if casts.refused:
        raise AssertionError(f"casts refused before the backup: {casts.refused}")
    if close:
        await v.close_poll(api, poll_id=poll_id, clerk=clerk, deadline=_deadline())
    return poll_id, casts


async def _restored(dbs: Databases, saved: Path, *, town: demo.TownSeed, voters: int, key: str,
                    passwords: dict[str, str], work: Path,
                    polls: tuple[tuple[str, str, v.Casts], ...], second_half: list[str],
                    outcome: Outcome) -> list[str]:
    """A fresh stack from the backup alone; every poll checked there."""
    data, urls = work / "after", dbs.fresh()
    config = _config(data, voters, urls, seeds="")
    b.restore_files(saved, data)
    shutil.copytree(saved / "guardians", data / "guardians")
    dbs.restore(saved, data, urls)
    nats = NatsServer(data / "nats", port=config.nats_port, host=config.host).start()
    try:
        outcome.stream_restored = await b.restore_stream(nats.url, saved / b.STREAM_FILE)
    finally:
        nats.stop()
    problems = []
    with Stack(config), v.encryption_pool() as pool:
        if await _audit_key(config) != key:
            problems.append("voting signs with another audit key after the restore")
        # Everyone signs in again with the password of before: identity's accounts came back.
        # (Tokens of before name the first stack's issuer address; on the same address they
        # would stay valid, as identity's signing keys were restored.)
        names = {p.subject: p.username for p in town.people}
        fresh: dict[str, str] = {}
        for subject in [*second_half, "clerk"]:
            username = names.get(subject, subject)
            async with httpx.AsyncClient(timeout=60.0) as http:
                fresh[subject] = (await login(
                    http, issuer=config.issuer, client_id=demo.WEB_CLIENT_ID,
                    redirect_uri=config.redirect_uri, username=username,
                    password=passwords[username], tenant=town.tenant)).access_token
        clerk = fresh.pop("clerk")
        api = httpx.AsyncClient(base_url=config.url(config.meeting_port), timeout=30.0)
        async with api:
            for poll_id, item_id, casts in polls:
                read = await api.get(f"/api/v1/polls/{poll_id}",
                                     headers={"Authorization": f"Bearer {clerk}"})
                if read.status_code != 200:
                    problems.append(f"poll {poll_id} not found after restore: {read.text}")
                    continue
                poll = read.json()
                record = None
                if poll["method"] == "secret":
                    if (poll["state"], poll["ballots_cast"]) != ("open", len(casts.acknowledged)):
                        problems.append(f"secret poll after restore: {poll['state']}, "
                                        f"{poll['ballots_cast']} ballots, backup had "
                                        f"{len(casts.acknowledged)}")
                    more = await v.cast_all(api, poll_id=poll_id, secret=True,
                                            offsets=[0.0] * len(second_half),
                                            tokens=fresh,
                                            pool=pool, deadline=_deadline())
                    if more.refused:
                        problems.append(f"casts refused after the restore: {more.refused}")
                    casts.acknowledged |= more.acknowledged
                    casts.codes |= more.codes
                    poll = await v.close_poll(api, poll_id=poll_id, clerk=clerk,
                                              deadline=_deadline())
                    record = work / f"record-{poll_id}"
                    problems += await v.secret_record_problems(
                        api, poll_id=poll_id, clerk=clerk, casts=casts, folder=record)
                problems += v.tally_problems(poll, casts)
                problems += await v.audit_problems(
                    f"{config.host}:{config.voting_grpc_port}", tenant=town.tenant,
                    poll_id=poll_id, casts=casts, secret_record=record)
                problems += await v.portal_problems(
                    config.url(config.portal_port), tenant=town.tenant,
                    meeting_id=town.meeting_id, item_id=item_id, poll=poll, within=60.0)
                outcome.polls_verified += 1
                outcome.ballots_checked += len(casts.acknowledged)
    return problems


def main(argv: list[str] | None = None) -> int:
    """Console entry point (`make backup-test`): exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=40)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ratsraum-backup-") as tmp:
        outcome = asyncio.run(check(voters=args.voters, postgres=args.postgres, work=Path(tmp)))
    for problem in outcome.problems:
        print(f"PROBLEM {problem}")
    print(f"backup-test: db={'postgresql' if args.postgres else 'sqlite'} voters={args.voters} "
          f"polls_verified={outcome.polls_verified} ballots_checked={outcome.ballots_checked} "
          f"stream_messages={outcome.stream_messages} restored={outcome.stream_restored} "
          f"problems={len(outcome.problems)}")
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
