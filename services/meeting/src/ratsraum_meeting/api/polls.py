"""Polls: opening on an agenda item, reading, casting ballots, closing."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Progress, Reader, Runner, Voter, Voting
from ratsraum_meeting.polls import closing, law_gate, service
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.polls.schemas import (
    BallotIn,
    BallotOut,
    PollCreate,
    PollOut,
    PollStatusOut,
)

router = APIRouter(prefix="/api/v1", tags=["polls"])
_KEY = re.compile(r"^[\x21-\x7e]{8,128}$")


def live_poll(poll: Poll) -> dict[str, object]:
    """What the live stream says of a poll that opened or moved (no choices, only counts)."""
    return {"poll_id": poll.id, "agenda_item_id": poll.agenda_item_id, "state": poll.state,
            "ballots_cast": poll.ballots_cast, "roll_size": poll.roll_size}


@router.post(
    "/meetings/{meeting_id}/agenda-items/{item_id}/polls",
    status_code=status.HTTP_201_CREATED,
)
async def open_poll(
    meeting_id: str, item_id: str, body: PollCreate, principal: Runner, db: DB, voting: Voting
) -> PollOut:
    """Open a vote on the item; refused unless the meeting runs and the body is quorate."""
    poll = await service.open_poll(
        db=db, voting=voting, tenant=principal.tenant, meeting_id=meeting_id, item_id=item_id,
        method=body.method, majority_rule=body.majority_rule, title=body.title,
        opened_by=principal.subject,
    )
    live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="poll", data=live_poll(poll))
    return PollOut.of(poll, remote_excluded=await law_gate.exclusion_of(
        db=db, tenant=principal.tenant, poll_id=poll.id))


@router.get("/polls/{poll_id}")
async def get_poll(poll_id: str, principal: Reader, db: DB, voting: Voting) -> PollStatusOut:
    """A poll's progress; who voted is shown, what they chose only after close."""
    view = await service.view_poll(db=db, voting=voting, tenant=principal.tenant,
                                   poll_id=poll_id)
    poll = view.poll
    return PollStatusOut(
        id=poll.id, agenda_item_id=poll.agenda_item_id, method=poll.method, state=poll.state,
        roll_size=poll.roll_size, ballots_cast=view.ballots_cast, voted=view.voted,
        has_voted=principal.subject in view.voted, result=poll.result,
    )


@router.post("/polls/{poll_id}/ballots", status_code=status.HTTP_201_CREATED)
async def cast_ballot(
    poll_id: str,
    ballot: BallotIn,
    principal: Voter,
    voting: Voting,
    progress: Progress,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> BallotOut:
    """Cast the caller's ballot; a retry with the same Idempotency-Key counts once."""
    if idempotency_key is None or not _KEY.match(idempotency_key):
        raise Problem(400, "idempotency-key-required", m.MISSING_KEY)
    outcome = await service.cast_ballot(
        voting=voting, progress=progress, tenant=principal.tenant, poll_id=poll_id,
        voter_id=principal.subject, choice=ballot.choice, idempotency_key=idempotency_key,
    )
    if outcome.replayed:
        response.status_code = status.HTTP_200_OK
    return BallotOut(ballot_id=outcome.ballot_id, replayed=outcome.replayed,
                     ballots_cast=outcome.ballots_cast)


@router.post("/polls/{poll_id}/close")
async def close_poll(
    poll_id: str, principal: Runner, db: DB, voting: Voting, progress: Progress
) -> PollOut:
    """Close the vote, record and publish its result (idempotent)."""
    poll = await closing.close_poll(db=db, voting=voting, tenant=principal.tenant,
                                    poll_id=poll_id, closed_by=principal.subject)
    progress.forget(tenant=principal.tenant, poll_id=poll_id)
    live.notify(tenant=principal.tenant, meeting_id=poll.meeting_id, kind="poll",
                data=live_poll(poll))
    return PollOut.of(poll)
