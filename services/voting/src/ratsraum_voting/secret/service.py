"""Secret polls: open with a key ceremony, cast with proofs checked once, read.

Keyword-only functions over the database; the ElectionGuard work runs in a worker thread.
Closing is in closing.py, cancel / re-run / runoff / lot in lifecycle.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from electionguard.guardian import GuardianRecord
from electionguard.manifest import Manifest
from electionguard.serialize import to_raw
from ratsraum_ballot_client import Election, build_manifest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_voting.errors import Reason, VotingError, invalid
from ratsraum_voting.polls.schemas import check_id
from ratsraum_voting.rules import Rule
from ratsraum_voting.secret import audit_log as secret_log
from ratsraum_voting.secret import casting
from ratsraum_voting.secret.ceremony import CeremonyFailed, run_key_ceremony
from ratsraum_voting.secret.models import SecretBallot, SecretPoll, SecretRollEntry
from ratsraum_voting.secret.remote import GuardianAddress, RemoteGuardian
from ratsraum_voting.secret.wire import OPEN, emit_secret_opened

log = get_logger(__name__)


@dataclass(frozen=True)
class CastOutcome:
    """The confirmation code of an accepted (or replayed) ballot."""

    code: str
    replayed: bool
    ballots_cast: int


@dataclass(frozen=True)
class SecretSpec:
    """What a new secret poll is: the motion or election, its options and its roll."""

    tenant: str
    poll_id: str
    meeting_id: str
    title: str
    options: Sequence[tuple[str, str]]
    rule: Rule
    roll: Sequence[str]
    statutory_members: int | None
    agenda_item_id: str = ""
    public: bool = False
    kind: str = "motion"
    rerun_of: str | None = None
    runoff_of: str | None = None


def not_found() -> VotingError:
    """Same answer for another town's poll as for none at all."""
    return VotingError(Reason.POLL_NOT_FOUND, "Diese geheime Abstimmung gibt es nicht.")


async def load(session: AsyncSession, poll_id: str, *, lock: bool = False) -> SecretPoll:
    """The secret poll of the session's tenant (locked for update if asked)."""
    query = select(SecretPoll).where(SecretPoll.poll_id == poll_id)
    poll = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if poll is None:
        raise not_found()
    return poll


def election_of(poll: SecretPoll) -> Election:
    """The manifest and context devices encrypt with."""
    return Election.from_json(manifest_json=poll.manifest_json, context_json=poll.context_json)


async def roll_of(session: AsyncSession, poll: SecretPoll) -> list[str]:
    """The poll's roll, sorted."""
    return list((await session.scalars(select(SecretRollEntry.voter_id).where(
        SecretRollEntry.poll_pk == poll.id).order_by(SecretRollEntry.voter_id))).all())


async def voted_of(session: AsyncSession, poll: SecretPoll) -> list[str]:
    """Who has voted, sorted (never what, never when)."""
    return list((await session.scalars(select(SecretRollEntry.voter_id).where(
        SecretRollEntry.poll_pk == poll.id, SecretRollEntry.voted.is_(True))
        .order_by(SecretRollEntry.voter_id))).all())


async def roll_size_of(session: AsyncSession, poll: SecretPoll) -> int:
    """How many are on the poll's roll."""
    return int((await session.execute(select(func.count()).select_from(SecretRollEntry).where(
        SecretRollEntry.poll_pk == poll.id))).scalar_one())


async def get_secret_poll(*, db: Database, tenant: str, poll_id: str) -> SecretPoll:
    """A secret poll of this tenant."""
    async with db.tenant_session(tenant) as session:
        return await load(session, poll_id)


def _check_spec(spec: SecretSpec, guardians: Sequence[GuardianAddress]) -> Manifest:
    if len(guardians) < 2:
        raise VotingError(Reason.METHOD_NOT_SUPPORTED,
                          "Für geheime Abstimmungen sind keine Guardians eingerichtet "
                          "(VOTING_GUARDIANS).")
    if (spec.kind == "election") != (spec.rule == Rule.ELECTION):
        raise invalid("kind", "eine Wahl (POLL_KIND_ELECTION) braucht MAJORITY_RULE_ELECTION "
                      "und umgekehrt.")
    voters = {check_id("roll", v) for v in spec.roll}
    if not voters or len(voters) != len(spec.roll):
        raise invalid("roll", "mindestens ein Mitglied, jedes genau einmal.")
    try:
        return build_manifest(poll_id=spec.poll_id, title=spec.title, options=spec.options)
    except ValueError as exc:
        raise invalid("options", "mindestens zwei verschiedene Optionen angeben.") from exc


async def run_ceremony(
    *, guardians: Sequence[GuardianAddress], spec: SecretSpec
) -> tuple[Election, list[GuardianRecord]]:
    """Run the key ceremony of a new secret poll with all guardians (in a worker thread)."""
    manifest = _check_spec(spec, guardians)

    def ceremony() -> tuple[Election, list[GuardianRecord]]:
        remotes = [RemoteGuardian(g) for g in guardians]
        try:
            result = run_key_ceremony(ceremony_id=f"{spec.tenant}.{spec.poll_id}",
                                      manifest=manifest, guardians=remotes,
                                      quorum=len(guardians) // 2 + 1)
        finally:
            for remote in remotes:
                remote.close()
        return result.election, result.guardian_records

    try:
        return await asyncio.to_thread(ceremony)
    except CeremonyFailed as exc:
        raise VotingError(Reason.WRONG_STATE,
                          f"Die Schlüsselzeremonie ist gescheitert: {exc}") from exc


async def insert_secret_poll(
    session: AsyncSession, *, spec: SecretSpec, election: Election,
    records: list[GuardianRecord],
) -> SecretPoll:
    """Store a new open secret poll with its roll, its `opened` entry and poll.opened."""
    existing = (await session.execute(
        select(SecretPoll.id).where(SecretPoll.poll_id == spec.poll_id))).first()
    if existing is not None:
        raise VotingError(Reason.POLL_ALREADY_EXISTS, "Diese Abstimmung ist schon eröffnet.")
    poll = SecretPoll(
        id=str(uuid.uuid4()), tenant_id=spec.tenant, poll_id=spec.poll_id,
        meeting_id=spec.meeting_id, title=spec.title, majority_rule=spec.rule.value,
        options=[list(o) for o in spec.options], statutory_members=spec.statutory_members,
        state=OPEN, ceremony_id=f"{spec.tenant}.{spec.poll_id}",
        manifest_json=election.manifest_json(), context_json=election.context_json(),
        guardians=[to_raw(r) for r in records], tally={}, ballots_cast=0,
        opened_at=datetime.now(UTC), agenda_item_id=spec.agenda_item_id, public=spec.public,
        kind=spec.kind, rerun_of=spec.rerun_of, runoff_of=spec.runoff_of,
    )
    session.add(poll)
    await session.flush()
    roll = sorted(spec.roll)
    session.add_all(SecretRollEntry(poll_pk=poll.id, voter_id=v) for v in roll)
    await secret_log.append(session, poll=poll,
                            entries=[("opened", secret_log.opened_body(poll, roll))])
    emit_secret_opened(session, poll=poll, roll_size=len(roll))
    return poll


async def open_secret_poll(
    *, db: Database, guardians: Sequence[GuardianAddress], spec: SecretSpec
) -> SecretPoll:
    """Run the key ceremony with the guardians and store the poll with its roll."""
    _check_spec(spec, guardians)
    async with db.tenant_session(spec.tenant) as session:
        existing = (await session.execute(
            select(SecretPoll.id).where(SecretPoll.poll_id == spec.poll_id))).first()
    if existing is not None:
        raise VotingError(Reason.POLL_ALREADY_EXISTS, "Diese Abstimmung ist schon eröffnet.")
    election, records = await run_ceremony(guardians=guardians, spec=spec)
    async with db.transaction(spec.tenant) as session:
        poll = await insert_secret_poll(session, spec=spec, election=election, records=records)
    log.info("secret.opened", tenant=spec.tenant, poll_id=spec.poll_id,
             roll_size=len(spec.roll), kind=spec.kind)
    return poll


async def cast_secret_ballot(
    *, db: Database, tenant: str, poll_id: str, voter_id: str, ballot_json: str
) -> CastOutcome:
    """Check the ballot's proofs once, mark the voter, add the ballot to the running tally.

    A secret ballot cannot be changed: once a voter is marked, nothing links them to their
    ballot, so it cannot be found to be replaced. A retry (same ballot, same voter) is
    recognised by the ballot's own hash and answered again; two voters' different ballots
    may share a confirmation code.
    """
    poll = await get_secret_poll(db=db, tenant=tenant, poll_id=poll_id)
    if poll.state != OPEN:
        raise VotingError(Reason.POLL_NOT_OPEN, "Die geheime Abstimmung ist nicht geöffnet.")
    election = election_of(poll)
    cast = await asyncio.to_thread(casting.check_ballot, election=election,
                                   ballot_json=ballot_json)
    code, text = cast.code.to_hex(), casting.ballot_json(cast)
    digest = secret_log.secret_ballot_hash(text)
    async with db.transaction(tenant) as session:
        poll = await load(session, poll_id, lock=True)
        if poll.state != OPEN:
            raise VotingError(Reason.POLL_NOT_OPEN, "Die geheime Abstimmung ist nicht geöffnet.")
        entry = await session.get(SecretRollEntry, (poll.id, voter_id))
        if entry is None:
            raise VotingError(Reason.NOT_ON_ROLL,
                              "Sie stehen nicht im Stimmverzeichnis dieser Abstimmung.")
        known = (await session.execute(select(SecretBallot.ballot_hash).where(
            SecretBallot.poll_pk == poll.id, (SecretBallot.ballot_hash == digest)
            | (SecretBallot.object_id == cast.object_id)))).scalars().all()
        if known:
            if digest in known and entry.voted:
                return CastOutcome(code=code, replayed=True, ballots_cast=poll.ballots_cast)
            raise VotingError(Reason.INVALID_CHOICE,
                              "Dieser Stimmzettel wurde bereits abgegeben.")
        if entry.voted:
            raise VotingError(Reason.WRONG_STATE,
                              "Sie haben bereits abgestimmt; ein geheimer Stimmzettel kann "
                              "nicht geändert werden.")
        await mark_voted(session, poll=poll, voter_id=voter_id)
        session.add(SecretBallot(id=str(uuid.uuid4()), poll_pk=poll.id, ballot_hash=digest,
                                 object_id=cast.object_id, code=code, ballot_json=text))
        poll.tally = casting.add_to_tally(poll.tally, cast)
        poll.ballots_cast += 1
        return CastOutcome(code=code, replayed=False, ballots_cast=poll.ballots_cast)


async def mark_voted(session: AsyncSession, *, poll: SecretPoll, voter_id: str) -> None:
    """Flag the voter, rewriting every roll row of the poll in the same statement.

    On PostgreSQL each rewritten row gets this transaction's id (xmin); rewriting them all
    leaves every live roll row with the latest cast's id, so it no longer says which
    voter's flag changed together with which ballot row (caller holds the poll row lock).
    """
    await session.execute(update(SecretRollEntry).where(
        SecretRollEntry.poll_pk == poll.id).values(
        voted=SecretRollEntry.voted | (SecretRollEntry.voter_id == voter_id)))
