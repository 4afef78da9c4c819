"""The steps after an election round: opening the runoff and drawing the committed lot."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_voting import elections
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import Reason, VotingError, wrong_state
from ratsraum_voting.events import emit_lot_drawn
from ratsraum_voting.polls import repository as repo
from ratsraum_voting.polls.lifecycle import locked_poll, roll_of
from ratsraum_voting.polls.schemas import (
    ABSTAIN,
    OpenPollCommand,
    PollKind,
    PollState,
    PollView,
    VoteMethod,
)
from ratsraum_voting.polls.service import CLOSED_STATES, insert_poll, options_of, seal, view
from ratsraum_voting.polls.wire import poll_to_proto
from ratsraum_voting.rules import Rule

log = get_logger(__name__)


async def open_runoff(
    *, db: Database, tenant: str, poll_id: str, new_poll_id: str, roll: list[str]
) -> PollView:
    """Open the runoff between the top two of a closed first round, linked to it."""
    try:
        async with db.transaction(tenant) as session:
            first = await locked_poll(session, poll_id)
            election = (first.result or {}).get("election") or {}
            if first.state not in CLOSED_STATES or election.get("status") != "runoff":
                raise wrong_state("Eine Stichwahl folgt nur auf einen geschlossenen ersten "
                             "Wahlgang ohne absolute Mehrheit (nach einem etwaigen Los).")
            pair = set(election["runoff"])
            options = [o for o in options_of(first) if o.id in pair or o.id == ABSTAIN]
            command = OpenPollCommand.create(
                tenant=tenant, poll_id=new_poll_id, meeting_id=first.meeting_id,
                agenda_item_id=first.agenda_item_id, title=f"Stichwahl: {first.title}"[:1000],
                method=VoteMethod(first.method), rule=Rule.ELECTION, options=options,
                roll=roll or await roll_of(session, first),
                statutory_members=first.statutory_members or 0, public=first.public,
                kind=PollKind.ELECTION,
            )
            runoff = await insert_poll(session, replace(command, runoff_of=first.poll_id))
            opened = view(runoff, [])
    except IntegrityError:
        raise VotingError(
            Reason.POLL_ALREADY_EXISTS, f"Die Abstimmung {new_poll_id} wurde bereits eröffnet."
        ) from None
    log.info("poll.runoff_opened", tenant=tenant, poll_id=poll_id, runoff=new_poll_id)
    return opened


async def draw_lot(
    *, db: Database, signer: AuditSigner, tenant: str, poll_id: str, by: str
) -> PollView:
    """Reveal the seed committed to at close and derive the drawn candidates from it."""
    async with db.transaction(tenant) as session:
        poll = await locked_poll(session, poll_id)
        election = dict((poll.result or {}).get("election") or {})
        if poll.state not in CLOSED_STATES or election.get("status") != "lot_pending":
            raise wrong_state("In dieser Abstimmung ist kein Los zu ziehen.")
        if poll.lot_seed is None:
            raise AssertionError("lot pending without a committed seed")
        seed = bytes.fromhex(poll.lot_seed)
        decision = elections.ElectionDecision(
            elections.Status.LOT_PENDING, election["explanation"],
            runoff=tuple(election["runoff"]), lot_among=tuple(election["lot_among"]),
            lot_places=int(election["lot_places"]),
        )
        drawn = elections.draw(seed, decision.lot_among, decision.lot_places)
        after = elections.after_lot(decision, drawn, runoff=poll.runoff_of is not None)
        election.update(
            status=after.status.value, elected=after.elected, runoff=list(after.runoff),
            explanation=after.explanation, lot_seed=seed.hex(), lot_drawn=list(drawn),
        )
        poll.result = {**(poll.result or {}), "election": election,
                       "accepted": after.status is elections.Status.ELECTED,
                       "explanation": after.explanation}
        await seal(session, poll=poll, signer=signer, entries=[("lot_drawn", {
            "commitment": election["lot_commitment"], "seed": seed.hex(),
            "among": election["lot_among"], "places": election["lot_places"],
            "drawn": list(drawn), "by": by,
        })])
        drawn_view = view(poll, await repo.ballots(session, poll_pk=poll.id))
        emit_lot_drawn(session, poll=poll_to_proto(drawn_view))
    log.info("poll.lot_drawn", tenant=tenant, poll_id=poll_id)
    return drawn_view


__all__ = ["PollState", "draw_lot", "open_runoff"]
