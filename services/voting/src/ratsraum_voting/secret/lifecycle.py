"""Cancel, re-run, runoff and lot of secret polls; each step logged in the poll's chain.

A re-run or a runoff is a new secret poll with its own key ceremony (a new manifest, so a
new election): ballots of the old poll can never be counted in the new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import voting_pb2
from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_voting import elections
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import Reason, VotingError, wrong_state
from ratsraum_voting.rules import Rule
from ratsraum_voting.secret import audit_log as secret_log
from ratsraum_voting.secret.models import SecretPoll
from ratsraum_voting.secret.remote import GuardianAddress
from ratsraum_voting.secret.result import ABSTAIN
from ratsraum_voting.secret.service import (
    SecretSpec,
    insert_secret_poll,
    load,
    roll_of,
    run_ceremony,
    voted_of,
)
from ratsraum_voting.secret.wire import (
    CANCELLED,
    CLOSED,
    CLOSING,
    OPEN,
    VOID,
    emit_secret_cancelled,
    emit_secret_lot_drawn,
    generic_poll,
)

log = get_logger(__name__)


async def generic(session: AsyncSession, poll: SecretPoll) -> voting_pb2.Poll:
    """The poll as a Poll message, with its roll size and who voted."""
    return generic_poll(poll, roll_size=len(await roll_of(session, poll)),
                        voted=await voted_of(session, poll))


async def cancel_secret_poll(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str, reason: str, by: str
) -> voting_pb2.Poll:
    """Withdraw an open secret poll with a reason; its ballots are never decrypted."""
    async with db.transaction(tenant) as session:
        poll = await load(session, poll_id, lock=True)
        if poll.state == CANCELLED:
            return await generic(session, poll)
        # Also while closing: guardians that never answer must not block a withdrawal; a
        # close still running then finds the poll cancelled and publishes nothing.
        if poll.state not in (OPEN, CLOSING):
            raise VotingError(Reason.POLL_NOT_OPEN, "Die geheime Abstimmung ist nicht geöffnet.")
        poll.state, poll.cancel_reason = CANCELLED, reason
        poll.closed_at, poll.closed_by = datetime.now(UTC), by or None
        entries = await secret_log.ballot_entries(session, poll=poll)
        entries.append(("cancelled", {"reason": reason, "by": by,
                                      "ballots_cast": poll.ballots_cast}))
        await secret_log.seal(session, poll=poll, signer=signer, entries=entries)
        cancelled = await generic(session, poll)
        emit_secret_cancelled(session, poll=poll, roll_size=cancelled.roll_size)
    log.info("secret.cancelled", tenant=tenant, poll_id=poll_id)
    return cancelled


def _follow_up(old: SecretPoll, *, new_poll_id: str, roll: Sequence[str], title: str,
               options: Sequence[tuple[str, str]], rerun_of: str | None,
               runoff_of: str | None) -> SecretSpec:
    return SecretSpec(
        tenant=old.tenant_id, poll_id=new_poll_id, meeting_id=old.meeting_id, title=title,
        options=options, rule=Rule(old.majority_rule), roll=list(roll),
        statutory_members=old.statutory_members, agenda_item_id=old.agenda_item_id,
        public=old.public, kind=old.kind, rerun_of=rerun_of, runoff_of=runoff_of)


async def _old_and_roll(db: Database, tenant: str, poll_id: str,
                        roll: Sequence[str]) -> tuple[SecretPoll, list[str]]:
    async with db.tenant_session(tenant) as session:
        old = await load(session, poll_id)
        return old, list(roll) or await roll_of(session, old)


async def _taken(session: AsyncSession, poll_id: str) -> None:
    if (await session.execute(select(SecretPoll.id).where(
            SecretPoll.poll_id == poll_id))).first() is not None:
        raise VotingError(Reason.POLL_ALREADY_EXISTS,
                          f"Die Abstimmung {poll_id} wurde bereits eröffnet.")


async def rerun_secret_poll(
    *, db: Database, guardians: Sequence[GuardianAddress], signer: AuditSigner, tenant: str,
    poll_id: str, new_poll_id: str, reason: str, roll: Sequence[str], by: str,
) -> voting_pb2.Poll:
    """Mark a disrupted secret poll void with the reason and open its re-run."""
    old, new_roll = await _old_and_roll(db, tenant, poll_id, roll)
    if old.state not in (OPEN, CLOSING, CLOSED):
        raise wrong_state("Nur eine laufende oder geschlossene geheime Abstimmung kann wiederholt "
                     "werden.")
    spec = _follow_up(old, new_poll_id=new_poll_id, roll=new_roll, title=old.title,
                      options=[(o[0], o[1]) for o in old.options], rerun_of=old.poll_id,
                      runoff_of=old.runoff_of)
    async with db.tenant_session(tenant) as session:
        await _taken(session, new_poll_id)
    election, records = await run_ceremony(guardians=guardians, spec=spec)
    async with db.transaction(tenant) as session:
        old = await load(session, poll_id, lock=True)
        if old.state not in (OPEN, CLOSING, CLOSED):
            raise wrong_state("Die Abstimmung hat sich inzwischen geändert; nichts wiederholt.")
        new = await insert_secret_poll(session, spec=spec, election=election, records=records)
        was_open = old.state != CLOSED  # a closed poll's ballots are chained already
        old.state, old.void_reason, old.rerun_poll_id = VOID, reason, new_poll_id
        old.closed_at = old.closed_at or datetime.now(UTC)
        entries = await secret_log.ballot_entries(session, poll=old) if was_open else []
        entries.append(("void", {"reason": reason, "by": by, "rerun_poll_id": new_poll_id}))
        await secret_log.seal(session, poll=old, signer=signer, entries=entries)
        emit_secret_cancelled(session, poll=old, roll_size=len(await roll_of(session, old)))
        rerun = await generic(session, new)
    log.info("secret.rerun", tenant=tenant, poll_id=poll_id, new_poll_id=new_poll_id)
    return rerun


async def open_secret_runoff(
    *, db: Database, guardians: Sequence[GuardianAddress], tenant: str, poll_id: str,
    new_poll_id: str, roll: Sequence[str],
) -> voting_pb2.Poll:
    """Open the secret runoff between the top two of a closed secret election round."""
    first, new_roll = await _old_and_roll(db, tenant, poll_id, roll)
    election = (first.result or {}).get("election") or {}
    if first.state != CLOSED or election.get("status") != "runoff":
        raise wrong_state("Eine Stichwahl folgt nur auf einen geschlossenen ersten Wahlgang ohne "
                     "absolute Mehrheit (nach einem etwaigen Los).")
    pair = set(election["runoff"])
    options = [(o[0], o[1]) for o in first.options if o[0] in pair or o[0] == ABSTAIN]
    spec = _follow_up(first, new_poll_id=new_poll_id, roll=new_roll,
                      title=f"Stichwahl: {first.title}"[:500], options=options,
                      rerun_of=None, runoff_of=first.poll_id)
    async with db.tenant_session(tenant) as session:
        await _taken(session, new_poll_id)
    keys, records = await run_ceremony(guardians=guardians, spec=spec)
    async with db.transaction(tenant) as session:
        runoff = await insert_secret_poll(session, spec=spec, election=keys, records=records)
        opened = await generic(session, runoff)
    log.info("secret.runoff_opened", tenant=tenant, poll_id=poll_id, runoff=new_poll_id)
    return opened


async def draw_secret_lot(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str, by: str
) -> voting_pb2.Poll:
    """Reveal the seed committed to at close and derive the drawn candidates from it."""
    async with db.transaction(tenant) as session:
        poll = await load(session, poll_id, lock=True)
        election = dict((poll.result or {}).get("election") or {})
        if poll.state != CLOSED or election.get("status") != "lot_pending":
            raise wrong_state("In dieser Abstimmung ist kein Los zu ziehen.")
        if poll.lot_seed is None:
            raise AssertionError("lot pending without a committed seed")
        seed = bytes.fromhex(poll.lot_seed)
        decision = elections.ElectionDecision(
            elections.Status.LOT_PENDING, election["explanation"],
            runoff=tuple(election["runoff"]), lot_among=tuple(election["lot_among"]),
            lot_places=int(election["lot_places"]))
        drawn = elections.draw(seed, decision.lot_among, decision.lot_places)
        after = elections.after_lot(decision, drawn, runoff=poll.runoff_of is not None)
        election.update(status=after.status.value, elected=after.elected,
                        runoff=list(after.runoff), explanation=after.explanation,
                        lot_seed=seed.hex(), lot_drawn=list(drawn))
        poll.result = {**(poll.result or {}), "election": election,
                       "accepted": after.status is elections.Status.ELECTED,
                       "explanation": after.explanation}
        await secret_log.seal(session, poll=poll, signer=signer, entries=[("lot_drawn", {
            "commitment": election["lot_commitment"], "seed": seed.hex(),
            "among": election["lot_among"], "places": election["lot_places"],
            "drawn": list(drawn), "by": by})])
        drawn_poll = await generic(session, poll)
        emit_secret_lot_drawn(session, poll=poll, roll_size=drawn_poll.roll_size)
    log.info("secret.lot_drawn", tenant=tenant, poll_id=poll_id)
    return drawn_poll
