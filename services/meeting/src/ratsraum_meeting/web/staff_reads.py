"""Reads the staff pages need that the API offers no list endpoint for (domain models, read only).

Each answers what the API's single-item reads would answer one by one; nothing here changes
state, and every change a staff page makes goes through the API.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_meeting.polls.lifecycle import awaiting_rerun
from ratsraum_meeting.polls.models import Poll

_MOTION = ("yes", "no", "abstain")


def _counts(result: dict[str, Any]) -> list[tuple[str, int]]:
    """The counts to show: per candidate in an election, else yes / no / abstain."""
    if result.get("election") or (result.get("counts") and not any(
            c["option_id"] in _MOTION for c in result["counts"])):
        return [(str(c.get("label") or c["option_id"]), int(c["count"]))
                for c in result.get("counts", [])]
    return [(key, int(result.get(key, 0))) for key in _MOTION]


def poll_row(poll: Poll) -> dict[str, Any]:
    """One poll as the console lists it."""
    result = poll.result or {}
    election = result.get("election") or {}
    return {
        "id": poll.id, "agenda_item_id": poll.agenda_item_id, "title": poll.title,
        "method": poll.method, "majority_rule": poll.majority_rule, "state": poll.state,
        "ballots_cast": poll.ballots_cast, "roll_size": poll.roll_size,
        "outcome": result.get("outcome"), "explanation": result.get("explanation", ""),
        "show_of_hands": bool(result.get("show_of_hands")),
        "counts": _counts(result) if poll.state == "closed" else [],
        "election_status": election.get("status"),
        "elected": election.get("elected", []),
        "awaiting_rerun": awaiting_rerun(poll),
        "void_reason": result.get("void_reason") or result.get("cancel_reason", ""),
    }


async def meeting_polls(db: Database, *, tenant: str, meeting_id: str) -> list[dict[str, Any]]:
    """Every poll of the meeting, newest first."""
    async with db.tenant_session(tenant) as session:
        polls = (await session.scalars(select(Poll).where(Poll.meeting_id == meeting_id)
                                       .order_by(Poll.opened_at.desc()))).all()
    return [poll_row(p) for p in polls]
