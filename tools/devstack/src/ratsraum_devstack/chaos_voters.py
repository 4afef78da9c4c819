"""The chaos harness's members and clerk: cast until acknowledged, close, and check the count.

Every member keeps trying (same Idempotency-Key, or the same encrypted ballot) until the
system acknowledges the ballot with 200/201 or refuses it; what was acknowledged is what the
tally, the audit record and the portal must show, exactly once each.
"""

from __future__ import annotations

import asyncio
import io
import json
import multiprocessing
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from ratsraum_ballot_client import Election, encrypt_choice, find_confirmation_code

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common.grpcutil import channel

CHOICES = ("yes", "no", "abstain", "yes")
TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass
class Casts:
    """What the members' devices were told: acknowledged ballots and everything else."""

    acknowledged: dict[str, str] = field(default_factory=dict)   # voter -> choice
    codes: dict[str, str] = field(default_factory=dict)          # voter -> confirmation code
    refused: dict[str, int] = field(default_factory=dict)        # voter -> final status
    server_errors: int = 0                                       # 5xx seen while retrying
    statuses: Counter[int] = field(default_factory=Counter)      # every transient answer
    attempts: int = 0


def encryption_pool(workers: int = 2) -> ProcessPoolExecutor:
    """Worker processes for the devices' ballot encryption, started fresh (spawn).

    Forking would copy the caller's threads' locks as they are at that moment: in a process
    that has run gRPC servers and mail or HTTP servers on threads (the test suite), a forked
    worker can inherit a held lock and hang forever.
    """
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))


def encrypt(manifest_json: str, context_json: str, choice: str) -> tuple[str, str]:
    """Encrypt one choice on a device (runs in a worker process): ballot JSON and its code."""
    election = Election.from_json(manifest_json=manifest_json, context_json=context_json)
    ballot = encrypt_choice(election, choice)
    return ballot.ballot_json, ballot.confirmation_code


async def until_answered(send: Callable[[], Awaitable[httpx.Response]], casts: Casts,
                         deadline: float) -> httpx.Response | None:
    """Send until an answer that is not transient (or the deadline); None if none came."""
    while time.monotonic() < deadline:
        casts.attempts += 1
        try:
            response = await send()
        except httpx.HTTPError:
            await asyncio.sleep(0.2)
            continue
        if response.status_code in TRANSIENT:
            casts.server_errors += response.status_code >= 500
            casts.statuses[response.status_code] += 1
            await asyncio.sleep(0.2)
            continue
        return response
    return None


async def cast_all(api: httpx.AsyncClient, *, poll_id: str, secret: bool,
                   tokens: dict[str, str], offsets: list[float], pool: Executor,
                   deadline: float) -> Casts:
    """Every member casts (each after its offset) until acknowledged; secret ones encrypt."""
    casts = Casts()
    loop = asyncio.get_running_loop()

    async def one(index: int, voter: str) -> None:
        await asyncio.sleep(offsets[index])  # members vote over a while, not all at once
        choice = CHOICES[index % len(CHOICES)]
        auth = {"Authorization": f"Bearer {tokens[voter]}"}
        if secret:
            described = await until_answered(
                lambda: api.get(f"/api/v1/polls/{poll_id}/secret", headers=auth), casts,
                deadline)
            if described is None or described.status_code != 200:
                casts.refused[voter] = described.status_code if described else 0
                return
            body = described.json()
            ballot_json, code = await loop.run_in_executor(
                pool, encrypt, body["manifest_json"], body["context_json"], choice)
            url, payload, headers = (f"/api/v1/polls/{poll_id}/secret-ballots",
                                     {"ballot_json": ballot_json}, auth)
        else:
            code = ""
            url, payload = f"/api/v1/polls/{poll_id}/ballots", {"choice": choice}
            headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        answer = await until_answered(lambda: api.post(url, json=payload, headers=headers),
                                      casts, deadline)
        if answer is not None and answer.status_code in (200, 201):
            casts.acknowledged[voter] = choice
            if secret:
                casts.codes[voter] = answer.json()["confirmation_code"]
                assert casts.codes[voter] == code, "the receipt is not the device's code"
        else:
            casts.refused[voter] = answer.status_code if answer is not None else 0

    await asyncio.gather(*(one(i, voter) for i, voter in enumerate(tokens)))
    return casts


async def close_poll(api: httpx.AsyncClient, *, poll_id: str, clerk: str,
                     deadline: float) -> dict[str, Any]:
    """Close (repeating through outages), then read the stored result back."""
    auth = {"Authorization": f"Bearer {clerk}"}
    scratch = Casts()
    closed = await until_answered(
        lambda: api.post(f"/api/v1/polls/{poll_id}/close", headers=auth), scratch, deadline)
    if closed is None:
        raise AssertionError(f"poll {poll_id} could not be closed before the deadline")
    read = await until_answered(lambda: api.get(f"/api/v1/polls/{poll_id}", headers=auth),
                                scratch, deadline)
    if read is None or read.status_code != 200 or read.json()["state"] == "open":
        raise AssertionError(f"poll {poll_id} not closed: {closed.status_code} {closed.text}")
    poll: dict[str, Any] = read.json()
    return poll


def tally_problems(poll: dict[str, Any], casts: Casts) -> list[str]:
    """The stored result against the acknowledged ballots: none lost, none doubled."""
    expected = Counter(casts.acknowledged.values())
    result = poll.get("result") or {}
    got = {k: int(result.get(k, 0)) for k in ("yes", "no", "abstain")}
    problems = []
    if got != {k: expected.get(k, 0) for k in got}:
        problems.append(f"tally {got} != acknowledged {dict(expected)}")
    if poll["ballots_cast"] != len(casts.acknowledged):
        problems.append(f"ballots_cast {poll['ballots_cast']} != acknowledged "
                        f"{len(casts.acknowledged)}")
    return problems


async def audit_problems(voting_target: str, *, tenant: str, poll_id: str, casts: Casts,
                         secret_record: Path | None) -> list[str]:
    """Voting's audit record verified with its published key, and matched to the casts."""
    from ratsraum_voting.audit.verify import key_problems, verify

    async with channel(voting_target) as ch:
        stub = voting_pb2_grpc.VotingServiceStub(ch)
        key = (await stub.GetAuditKey(voting_pb2.GetAuditKeyRequest(), timeout=10)).public_key
        exported = await stub.ExportAuditRecord(voting_pb2.ExportAuditRecordRequest(
            tenant=tenant, poll_id=poll_id), timeout=30)
    record = json.loads(exported.json)
    problems = verify(record, secret_record) + key_problems(record, key)
    if not secret_record:
        stored = {b["voter_id"]: b["option_id"] for b in record["ballots"]}
        if stored != casts.acknowledged:
            lost = set(casts.acknowledged) - set(stored)
            extra = set(stored) - set(casts.acknowledged)
            problems.append(f"audit ballots differ: lost {sorted(lost)[:5]}, "
                            f"not acknowledged {sorted(extra)[:5]}")
    return problems


async def secret_record_problems(api: httpx.AsyncClient, *, poll_id: str, clerk: str,
                                 casts: Casts, folder: Path) -> list[str]:
    """The published record downloaded, verified, and every acknowledged code found in it."""
    from ratsraum_voting.secret.checks import RecordInvalid
    from ratsraum_voting.secret.verify import verify_record

    response = await api.get(f"/api/v1/polls/{poll_id}/secret-record",
                             headers={"Authorization": f"Bearer {clerk}"})
    if response.status_code != 200:
        return [f"record download answered {response.status_code}"]
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    problems = []
    try:
        verify_record(folder, report=lambda _line: None)
    except RecordInvalid as exc:
        problems.append(f"record does not verify: {exc}")
    missing = [v for v, code in casts.codes.items() if not find_confirmation_code(folder, code)]
    if missing:
        problems.append(f"{len(missing)} acknowledged codes missing from the record")
    ballots = len(list((folder / "submitted_ballots").glob("*")))
    if ballots != len(casts.codes):
        problems.append(f"record holds {ballots} ballots, {len(casts.codes)} acknowledged")
    return problems


async def portal_problems(portal: str, *, tenant: str, meeting_id: str, item_id: str,
                          poll: dict[str, Any], within: float) -> list[str]:
    """The portal converges to the stored result within the time given."""
    want = {k: int((poll.get("result") or {}).get(k, 0)) for k in ("yes", "no", "abstain")}
    deadline = time.monotonic() + within
    last: Any = None
    async with httpx.AsyncClient(base_url=portal, timeout=5) as http:
        while time.monotonic() < deadline:
            try:
                shown = (await http.get(f"/api/v1/{tenant}/meetings/{meeting_id}")).json()
            except (httpx.HTTPError, ValueError):
                await asyncio.sleep(0.5)
                continue
            items = [i for i in shown.get("agenda", []) if i.get("id") == item_id]
            last = items[0].get("result") if items else None
            if last and {k: int(last.get(k, 0)) for k in want} == want:
                return []
            await asyncio.sleep(0.5)
    return [f"portal shows {last} for the item, not {want}, after {within:.0f}s"]
