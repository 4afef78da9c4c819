"""Reads the staff pages need that the API offers no list endpoint for (domain models, read only).

Each answers what the API's single-item reads would answer one by one; nothing here changes
state, and every change a staff page makes goes through the API.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_meeting.meetings.models import Person
from ratsraum_meeting.polls.lifecycle import awaiting_rerun
from ratsraum_meeting.polls.models import Poll

_MOTION = ("yes", "no", "abstain")


def _counts(result: dict[str, Any], names: dict[str, str]) -> list[tuple[str, int]]:
    """The counts to show: per candidate (by name) in an election, else yes / no / abstain."""
    if result.get("election") or (result.get("counts") and not any(
            c["option_id"] in _MOTION for c in result["counts"])):
        return [(_name(c["option_id"], c.get("label"), names), int(c["count"]))
                for c in result.get("counts", [])]
    return [(key, int(result.get(key, 0))) for key in _MOTION]


def _name(option_id: str, label: str | None, names: dict[str, str]) -> str:
    """A candidate as people know them: the person's name, else voting's label, else the id."""
    return names.get(option_id) or (label if label and label != option_id else "") or option_id


def _candidate_ids(poll: Poll) -> set[str]:
    result = poll.result or {}
    election = result.get("election") or {}
    ids = {str(c["option_id"]) for c in result.get("counts", [])} - set(_MOTION)
    elected = election.get("elected") or []
    ids.update([elected] if isinstance(elected, str) else elected)
    for key in ("runoff", "lot_among", "lot_drawn"):
        ids.update(election.get(key) or [])
    return ids


def poll_row(poll: Poll, names: dict[str, str] | None = None) -> dict[str, Any]:
    """One poll as the console lists it; `names` turns candidates' person ids into names."""
    names = names or {}
    result = poll.result or {}
    election = result.get("election") or {}
    elected = election.get("elected") or []
    return {
        "id": poll.id, "agenda_item_id": poll.agenda_item_id, "title": poll.title,
        "method": poll.method, "majority_rule": poll.majority_rule, "state": poll.state,
        "ballots_cast": poll.ballots_cast, "roll_size": poll.roll_size,
        "outcome": result.get("outcome"), "explanation": result.get("explanation", ""),
        "show_of_hands": bool(result.get("show_of_hands")),
        "counts": _counts(result, names) if poll.state == "closed" else [],
        "election_status": election.get("status"),
        "elected": [_name(e, None, names)
                    for e in ([elected] if isinstance(elected, str) else elected)],
        "awaiting_rerun": awaiting_rerun(poll),
        "void_reason": result.get("void_reason") or result.get("cancel_reason", ""),
    }


async def meeting_polls(db: Database, *, tenant: str, meeting_id: str) -> list[dict[str, Any]]:
    """Every poll of the meeting, newest first."""
    async with db.tenant_session(tenant) as session:
        polls = (await session.scalars(select(Poll).where(Poll.meeting_id == meeting_id)
                                       .order_by(Poll.opened_at.desc()))).all()
        wanted = set().union(*(_candidate_ids(p) for p in polls)) if polls else set()
        names = {p.id: p.name for p in (await session.scalars(
            select(Person).where(Person.id.in_(wanted)))).all()} if wanted else {}
    return [poll_row(p, names) for p in polls]
