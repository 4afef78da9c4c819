"""Secret polls: open with a key ceremony, cast with proofs checked once, close with guardians.

Keyword-only functions over the database; the ElectionGuard work runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from electionguard.ballot import SubmittedBallot
from electionguard.guardian import GuardianRecord
from electionguard.key_ceremony import ElectionPublicKey
from electionguard.serialize import from_raw, to_raw
from ratsraum_ballot_client import Election, build_manifest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_voting.errors import Reason, VotingError, invalid
from ratsraum_voting.polls.schemas import check_id
from ratsraum_voting.rules import Rule
from ratsraum_voting.secret import casting
from ratsraum_voting.secret.ceremony import CeremonyFailed, decrypt, run_key_ceremony
from ratsraum_voting.secret.models import SecretBallot, SecretPoll, SecretRollEntry
from ratsraum_voting.secret.record import write_record
from ratsraum_voting.secret.remote import GuardianAddress, RemoteGuardian
from ratsraum_voting.secret.result import counts_from_tally, poll_result
from ratsraum_voting.secret.wire import emit_secret_closed

OPEN, CLOSING, CLOSED = "open", "closing", "closed"


@dataclass(frozen=True)
class CastOutcome:
    """The confirmation code of an accepted (or replayed) ballot."""

    code: str
    replayed: bool
    ballots_cast: int


def _not_found() -> VotingError:
    return VotingError(Reason.POLL_NOT_FOUND, "Diese geheime Abstimmung gibt es nicht.")


async def _load(session: AsyncSession, poll_id: str, *, lock: bool = False) -> SecretPoll:
    query = select(SecretPoll).where(SecretPoll.poll_id == poll_id)
    poll = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if poll is None:
        raise _not_found()
    return poll


def _election(poll: SecretPoll) -> Election:
    return Election.from_json(manifest_json=poll.manifest_json, context_json=poll.context_json)


async def get_secret_poll(*, db: Database, tenant: str, poll_id: str) -> SecretPoll:
    """A secret poll of this tenant."""
    async with db.tenant_session(tenant) as session:
        return await _load(session, poll_id)


async def open_secret_poll(
    *, db: Database, guardians: Sequence[GuardianAddress], tenant: str, poll_id: str,
    meeting_id: str, title: str, options: Sequence[tuple[str, str]], rule: Rule,
    roll: Sequence[str], statutory_members: int | None,
) -> SecretPoll:
    """Run the key ceremony with the guardians and store the poll with its roll."""
    if rule == Rule.ELECTION:
        raise VotingError(Reason.METHOD_NOT_SUPPORTED,
                          "Geheime Wahlen von Personen sind noch nicht verfügbar; "
                          "geheim abstimmen lässt sich bisher nur über Anträge.")
    if len(guardians) < 2:
        raise VotingError(Reason.METHOD_NOT_SUPPORTED,
                          "Für geheime Abstimmungen sind keine Guardians eingerichtet "
                          "(VOTING_GUARDIANS).")
    voters = sorted({check_id("roll", v) for v in roll})
    if not voters or len(voters) != len(roll):
        raise invalid("roll", "mindestens ein Mitglied, jedes genau einmal.")
    try:
        manifest = build_manifest(poll_id=poll_id, title=title, options=options)
    except ValueError as exc:
        raise invalid("options", "mindestens zwei verschiedene Optionen angeben.") from exc
    async with db.tenant_session(tenant) as session:
        existing = (await session.execute(
            select(SecretPoll.id).where(SecretPoll.poll_id == poll_id))).first()
    if existing is not None:
        raise VotingError(Reason.POLL_ALREADY_EXISTS, "Diese Abstimmung ist schon eröffnet.")
    ceremony_id = f"{tenant}.{poll_id}"
    quorum = len(guardians) // 2 + 1

    def ceremony() -> tuple[Election, list[GuardianRecord]]:
        remotes = [RemoteGuardian(g) for g in guardians]
        try:
            result = run_key_ceremony(ceremony_id=ceremony_id, manifest=manifest,
                                      guardians=remotes, quorum=quorum)
        finally:
            for remote in remotes:
                remote.close()
        return result.election, result.guardian_records

    try:
        election, records = await asyncio.to_thread(ceremony)
    except CeremonyFailed as exc:
        raise VotingError(Reason.WRONG_STATE,
                          f"Die Schlüsselzeremonie ist gescheitert: {exc}") from exc
    poll = SecretPoll(
        id=str(uuid.uuid4()), poll_id=poll_id, meeting_id=meeting_id, title=title,
        majority_rule=rule.value, options=[list(o) for o in options],
        statutory_members=statutory_members, state=OPEN, ceremony_id=ceremony_id,
        manifest_json=election.manifest_json(), context_json=election.context_json(),
        guardians=[to_raw(r) for r in records], tally={}, ballots_cast=0,
        opened_at=datetime.now(UTC),
    )
    async with db.transaction(tenant) as session:
        session.add(poll)
        await session.flush()
        session.add_all(SecretRollEntry(poll_pk=poll.id, voter_id=v) for v in voters)
    return poll


async def cast_secret_ballot(
    *, db: Database, tenant: str, poll_id: str, voter_id: str, ballot_json: str
) -> CastOutcome:
    """Check the ballot's proofs once, mark the voter, add the ballot to the running tally.

    A secret ballot cannot be changed: once a voter is marked, nothing links them to their
    ballot, so it cannot be found to be replaced. A retry (same ballot, same voter) is
    recognised by the ballot's confirmation code and answered again.
    """
    poll = await get_secret_poll(db=db, tenant=tenant, poll_id=poll_id)
    if poll.state != OPEN:
        raise VotingError(Reason.POLL_NOT_OPEN, "Die geheime Abstimmung ist nicht geöffnet.")
    election = _election(poll)
    cast = await asyncio.to_thread(casting.check_ballot, election=election,
                                   ballot_json=ballot_json)
    code = cast.code.to_hex()
    async with db.transaction(tenant) as session:
        poll = await _load(session, poll_id, lock=True)
        if poll.state != OPEN:
            raise VotingError(Reason.POLL_NOT_OPEN, "Die geheime Abstimmung ist nicht geöffnet.")
        entry = await session.get(SecretRollEntry, (poll.id, voter_id))
        if entry is None:
            raise VotingError(Reason.NOT_ON_ROLL,
                              "Sie stehen nicht im Stimmverzeichnis dieser Abstimmung.")
        known = (await session.execute(select(SecretBallot.id).where(
            SecretBallot.poll_pk == poll.id, SecretBallot.code == code))).first()
        if known is not None:
            if entry.voted:
                return CastOutcome(code=code, replayed=True, ballots_cast=poll.ballots_cast)
            raise VotingError(Reason.INVALID_CHOICE,
                              "Dieser Stimmzettel wurde bereits abgegeben.")
        marked = await session.execute(update(SecretRollEntry).where(
            SecretRollEntry.poll_pk == poll.id, SecretRollEntry.voter_id == voter_id,
            SecretRollEntry.voted.is_(False)).values(voted=True))
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            raise VotingError(Reason.WRONG_STATE,
                              "Sie haben bereits abgestimmt; ein geheimer Stimmzettel kann "
                              "nicht geändert werden.")
        session.add(SecretBallot(id=str(uuid.uuid4()), poll_pk=poll.id, code=code,
                                 ballot_json=casting.ballot_json(cast)))
        poll.tally = casting.add_to_tally(poll.tally, cast)
        poll.ballots_cast += 1
        return CastOutcome(code=code, replayed=False, ballots_cast=poll.ballots_cast)


@dataclass(frozen=True)
class Closed:
    """A closed secret poll, the roll's voters and whether this call closed it."""

    poll: SecretPoll
    voted: list[str]
    closed_now: bool


def _public_key(record: GuardianRecord) -> ElectionPublicKey:
    return ElectionPublicKey(record.guardian_id, record.sequence_order,
                             record.election_public_key, record.election_commitments,
                             record.election_proofs)


def _reachable(guardians: Sequence[GuardianAddress], poll: SecretPoll) -> list[RemoteGuardian]:
    """The guardians that answer (announce is idempotent: it repeats their public key)."""
    remotes = []
    for address in guardians:
        remote = RemoteGuardian(address)
        try:
            remote.announce(ceremony_id=poll.ceremony_id, guardians=len(poll.guardians),
                            quorum=_election(poll).context.quorum)
        except CeremonyFailed:
            remote.close()
            continue
        remotes.append(remote)
    return remotes


def _tally_and_record(
    *, poll: SecretPoll, guardians: Sequence[GuardianAddress], records_dir: Path,
    ballots: list[SubmittedBallot], voted: list[str], roll_size: int,
) -> tuple[dict[str, Any], str]:
    election = _election(poll)
    if casting.tally_of(ballots) != poll.tally:
        raise CeremonyFailed("Die laufende Summe passt nicht zu den gespeicherten Stimmzetteln.")
    records = [from_raw(GuardianRecord, g) for g in poll.guardians]
    remotes = _reachable(guardians, poll)
    try:
        decrypted = decrypt(ceremony_id=poll.ceremony_id, election=election, ballots=ballots,
                            available=remotes, keys=[_public_key(r) for r in records],
                            proofs_checked=True)
    finally:
        for remote in remotes:
            remote.close()
    options = [(o[0], o[1]) for o in poll.options]
    result = poll_result(poll_id=poll.poll_id, title=poll.title, options=options,
                         rule=poll.majority_rule, statutory_members=poll.statutory_members,
                         roll_size=roll_size, counts=counts_from_tally(decrypted.plaintext))
    published = write_record(directory=records_dir, election=election, guardians=records,
                             ballots=ballots, decrypted=decrypted, voters=voted, poll=result)
    return result, published.sha256


async def close_secret_poll(
    *, db: Database, guardians: Sequence[GuardianAddress], records_root: Path, tenant: str,
    poll_id: str,
) -> Closed:
    """Tally homomorphically, have a quorum of guardians decrypt, write the record."""
    async with db.transaction(tenant) as session:
        poll = await _load(session, poll_id, lock=True)
        voted = sorted((await session.execute(select(SecretRollEntry.voter_id).where(
            SecretRollEntry.poll_pk == poll.id, SecretRollEntry.voted.is_(True)))).scalars())
        roll_size = len((await session.execute(select(SecretRollEntry.voter_id).where(
            SecretRollEntry.poll_pk == poll.id))).all())
        if poll.state == CLOSED:
            return Closed(poll=poll, voted=voted, closed_now=False)
        # No casts from here on, also if the decryption fails and the close is retried.
        poll.state = CLOSING
        rows = (await session.execute(select(SecretBallot.ballot_json).where(
            SecretBallot.poll_pk == poll.id))).scalars().all()
    ballots = [from_raw(SubmittedBallot, r) for r in rows]
    directory = records_root / tenant / poll_id
    try:
        result, digest = await asyncio.to_thread(
            _tally_and_record, poll=poll, guardians=guardians, records_dir=directory,
            ballots=ballots, voted=voted, roll_size=roll_size)
    except CeremonyFailed as exc:
        raise VotingError(Reason.WRONG_STATE,
                          f"Auszählung nicht möglich (erneut schließen): {exc}") from exc
    async with db.transaction(tenant) as session:
        poll = await _load(session, poll_id, lock=True)
        poll.state, poll.result, poll.record_sha256 = CLOSED, result, digest
        poll.closed_at = datetime.now(UTC)
        emit_secret_closed(session, tenant=tenant, poll=poll, voted=voted)
    return Closed(poll=poll, voted=voted, closed_now=True)
