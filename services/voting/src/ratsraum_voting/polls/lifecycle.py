"""Cancel, re-run, show of hands, roll amendment and publication of polls.

Each step is one transaction holding the poll row exclusively: the state change, its audit
entry (with the reason) and its event commit together or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import Reason, VotingError, invalid
from ratsraum_voting.events import emit_poll_cancelled, emit_poll_closed, emit_poll_published
from ratsraum_voting.polls import audit_log as audit
from ratsraum_voting.polls import repository as repo
from ratsraum_voting.polls.models import Poll, RollEntry
from ratsraum_voting.polls.schemas import OpenPollCommand, PollKind, PollState, PollView
from ratsraum_voting.polls.service import (
    CLOSED_STATES,
    insert_poll,
    not_found,
    not_open,
    options_of,
    seal,
    tally_counts,
    view,
)
from ratsraum_voting.polls.wire import poll_to_proto
from ratsraum_voting.rules import Rule

log = get_logger(__name__)
MAX_REASON = 2000


def check_reason(reason: str) -> str:
    """A required, bounded reason (logged in the audit chain)."""
    if not reason.strip():
        raise invalid("reason", "eine Begründung ist erforderlich.")
    if len(reason) > MAX_REASON:
        raise invalid("reason", f"höchstens {MAX_REASON} Zeichen.")
    return reason.strip()


async def locked_poll(session: AsyncSession, poll_id: str) -> Poll:
    """The poll, locked for update in this transaction; refused when there is none."""
    poll = await repo.get_poll(session, poll_id=poll_id, lock="update")
    if poll is None:
        raise not_found(poll_id)
    return poll


async def cancel_poll(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str, reason: str, by: str
) -> PollView:
    """Withdraw an open poll with a reason; the ballots stay recorded but are never counted."""
    async with db.transaction(tenant) as session:
        poll = await locked_poll(session, poll_id)
        if poll.state == PollState.CANCELLED:
            return view(poll, await repo.ballots(session, poll_pk=poll.id))
        if poll.state != PollState.OPEN:
            raise not_open(poll)
        poll.state, poll.cancel_reason = PollState.CANCELLED.value, reason
        poll.closed_at, poll.closed_by = datetime.now(UTC), by or None
        poll.result = {}
        entries = await audit.ballot_entries(session, poll=poll)
        entries.append(("cancelled", {"reason": reason, "by": by}))
        await seal(session, poll=poll, signer=signer, entries=entries)
        cancelled = view(poll, await repo.ballots(session, poll_pk=poll.id))
        emit_poll_cancelled(session, poll=poll_to_proto(cancelled))
    log.info("poll.cancelled", tenant=tenant, poll_id=poll_id)
    return cancelled


async def roll_of(session: AsyncSession, poll: Poll) -> list[str]:
    """The voters on the poll's roll, sorted."""
    rows = await session.scalars(
        select(RollEntry.voter_id).where(RollEntry.poll_pk == poll.id).order_by(RollEntry.voter_id)
    )
    return list(rows)


async def rerun_poll(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str, new_poll_id: str,
    reason: str, roll: list[str], by: str,
) -> PollView:
    """Mark a disrupted poll void with the reason and open its re-run, linked both ways."""
    try:
        async with db.transaction(tenant) as session:
            old = await locked_poll(session, poll_id)
            if old.state not in (PollState.OPEN, PollState.CLOSED):
                raise VotingError(
                    Reason.WRONG_STATE, "Nur eine laufende oder geschlossene, noch nicht "
                    "veröffentlichte Abstimmung kann wiederholt werden."
                )
            command = OpenPollCommand.create(
                tenant=tenant, poll_id=new_poll_id, meeting_id=old.meeting_id,
                agenda_item_id=old.agenda_item_id, title=old.title,
                method=view(old, []).method, rule=Rule(old.majority_rule),
                options=list(options_of(old)), roll=roll or await roll_of(session, old),
                statutory_members=old.statutory_members or 0, public=old.public,
                kind=PollKind(old.kind),
            )
            command = replace(command, rerun_of=old.poll_id, runoff_of=old.runoff_of)
            new = await insert_poll(session, command)
            old.state, old.void_reason = PollState.VOID.value, reason
            old.rerun_poll_id = new_poll_id
            old.result = {**(old.result or {}), "void_reason": reason}
            entries = [] if old.closed_at else await audit.ballot_entries(session, poll=old)
            entries.append(("void", {"reason": reason, "by": by, "rerun_poll_id": new_poll_id}))
            await seal(session, poll=old, signer=signer, entries=entries)
            emit_poll_cancelled(session, poll=poll_to_proto(view(old, [])))
            rerun = view(new, [])
    except IntegrityError:
        raise VotingError(
            Reason.POLL_ALREADY_EXISTS, f"Die Abstimmung {new_poll_id} wurde bereits eröffnet."
        ) from None
    log.info("poll.rerun", tenant=tenant, poll_id=poll_id, new_poll_id=new_poll_id)
    return rerun


def _hands(poll: Poll, counts: Mapping[str, int]) -> Counter[str]:
    offered = {o.id for o in options_of(poll)}
    unknown = [o for o in counts if o not in offered]
    if unknown:
        raise VotingError(
            Reason.INVALID_CHOICE, f"Option „{unknown[0][:40]}“ wird nicht angeboten."
        )
    if any(c < 0 for c in counts.values()):
        raise invalid("counts", "Zahlen dürfen nicht negativ sein.")
    if sum(counts.values()) > poll.roll_size:
        raise invalid(
            "counts", f"mehr Stimmen ({sum(counts.values())}) als Stimmberechtigte "
            f"({poll.roll_size})."
        )
    return Counter(counts)


async def record_show_of_hands(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str,
    counts: Mapping[str, int], by: str,
) -> PollView:
    """Close an open poll with counts the clerk took from a show of hands."""
    async with db.transaction(tenant) as session:
        poll = await locked_poll(session, poll_id)
        if poll.state != PollState.OPEN:
            raise not_open(poll)
        hands = _hands(poll, counts)
        poll.show_of_hands = True
        poll.result = tally_counts(poll, hands, sum(hands.values()))
        poll.state, poll.closed_at, poll.closed_by = (
            PollState.CLOSED.value, datetime.now(UTC), by or None,
        )
        # Electronic ballots cast before the failure stay on record, but do not count.
        entries = await audit.ballot_entries(session, poll=poll)
        entries.append(("show_of_hands", {"counts": dict(sorted(hands.items())), "by": by}))
        entries.append(("closed", {"closed_by": by, "ballots_cast": sum(hands.values())}))
        entries.append(("result", dict(poll.result)))
        await seal(session, poll=poll, signer=signer, entries=entries)
        closed = view(poll, await repo.ballots(session, poll_pk=poll.id))
        emit_poll_closed(session, poll=poll_to_proto(closed))
    log.info("poll.show_of_hands", tenant=tenant, poll_id=poll_id)
    return closed


async def amend_roll(
    *, db: Database, tenant: str, poll_id: str, voter_id: str, reason: str, by: str
) -> PollView:
    """Add a voter to an open poll's roll (the rule profile is checked by meeting); logged."""
    async with db.transaction(tenant) as session:
        poll = await locked_poll(session, poll_id)
        if poll.state != PollState.OPEN:
            raise not_open(poll)
        if voter_id in await roll_of(session, poll):
            raise invalid("voter_id", f"„{voter_id[:70]}“ steht bereits auf der Liste.")
        session.add(RollEntry(poll_pk=poll.id, voter_id=voter_id, tenant_id=tenant))
        poll.roll_size += 1
        await audit.append(session, poll=poll, entries=[(
            "roll_amended", {"added": voter_id, "reason": reason, "by": by},
        )])
        amended = view(poll, await repo.ballots(session, poll_pk=poll.id))
    log.info("poll.roll_amended", tenant=tenant, poll_id=poll_id)
    return amended


async def publish_poll(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str, by: str
) -> PollView:
    """Release a closed poll's result (closed → published) with a freshly signed head."""
    async with db.transaction(tenant) as session:
        poll = await locked_poll(session, poll_id)
        ballots = await repo.ballots(session, poll_pk=poll.id)
        if poll.state == PollState.PUBLISHED:
            return view(poll, ballots)
        if poll.state not in CLOSED_STATES:
            raise VotingError(Reason.WRONG_STATE, "Nur eine geschlossene Abstimmung kann "
                              "veröffentlicht werden.")
        election = (poll.result or {}).get("election") or {}
        if election.get("status") == "lot_pending":
            raise VotingError(Reason.WRONG_STATE, "Erst das Los ziehen, dann veröffentlichen.")
        poll.state, poll.published_at = PollState.PUBLISHED.value, datetime.now(UTC)
        await seal(session, poll=poll, signer=signer, entries=[("published", {"by": by})])
        published = view(poll, ballots)
        emit_poll_published(session, poll=poll_to_proto(published))
    return published
