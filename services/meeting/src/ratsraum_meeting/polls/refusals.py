"""Voting's refusals and outages as problems: the one place they become problem JSON."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls import profile_rules as rules
from ratsraum_meeting.polls.voting_call import VotingRefused, VotingUnavailable

log = get_logger(__name__)
T = TypeVar("T")

_REFUSALS: dict[str, tuple[int, Msg]] = {
    "NOT_ON_ROLL": (403, m.NOT_ON_ROLL),
    "POLL_NOT_OPEN": (409, m.POLL_NOT_OPEN),
    "POLL_NOT_FOUND": (404, m.POLL_NOT_FOUND),
    "INVALID_CHOICE": (422, m.INVALID_CHOICE),
    "IDEMPOTENCY_KEY_REUSED": (409, m.KEY_REUSED),
    "INVALID_REQUEST": (422, m.INVALID_REQUEST),
    "WRONG_STATE": (409, m.VOTING_WRONG_STATE),
}


def refusal_problem(exc: VotingRefused) -> Problem:
    """The problem a member or clerk sees for a refusal of voting's."""
    if exc.reason == "METHOD_NOT_SUPPORTED":  # secret ballots without guardians: use paper
        return Problem(422, "method-not-available", m.METHOD_NOT_YET_AVAILABLE,
                       kind=rules.KIND_DE["secret"], kind_en=rules.KIND_EN["secret"])
    status, message = _REFUSALS.get(exc.reason or "", (502, m.VOTING_REFUSED))
    code = (exc.reason or "voting-refused").lower().replace("_", "-")
    log.warning("voting.refused", reason=exc.reason, code=exc.code.name, message=exc.message)
    return Problem(status, code, message)


def unavailable_problem(unavailable: Msg = m.VOTING_UNAVAILABLE) -> Problem:
    """The 503 problem of a voting service that did not answer; says what did not happen."""
    return Problem(503, "voting-unavailable", unavailable)


async def voting_answer(call: Awaitable[T], unavailable: Msg = m.VOTING_UNAVAILABLE) -> T:
    """Await a voting call; its refusal or outage is raised as the matching problem."""
    try:
        return await call
    except VotingRefused as exc:
        raise refusal_problem(exc) from exc
    except VotingUnavailable as exc:
        raise unavailable_problem(unavailable) from exc
