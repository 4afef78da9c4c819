"""The rule profile applied to opening a poll: the method and the options offered."""

from __future__ import annotations

from ratsraum.voting.v1 import voting_pb2
from ratsraum_common.problems import Problem
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.profiles.live import RequestState
from ratsraum_meeting.profiles.presets import RuleProfile

KIND_DE = {"open": "offene Abstimmung", "roll_call": "namentliche Abstimmung",
           "secret": "geheime Abstimmung", "election": "Wahl"}
KIND_EN = {"open": "open vote", "roll_call": "roll-call vote", "secret": "secret vote",
           "election": "election"}
_PRECEDENCE = {"open": 0, "roll_call": 1, "secret": 2, "election": 2}


def choose_method(
    *, asked: str | None, requested: str | None, number: str,
    states: tuple[RequestState, RequestState],
) -> str:
    """The clerk's method, or what members' requests demand; weaker than demanded is refused."""
    if asked is None:
        return requested or "open"
    if requested is not None and _PRECEDENCE[asked] < _PRECEDENCE[requested]:
        state = next(s for s in states if s.kind == requested)
        raise Problem(409, "vote-method-requested", m.REQUESTED_METHOD, number=number,
                      kind=KIND_DE[requested], kind_en=KIND_EN[requested], count=state.count,
                      required=state.required)
    return asked


def options(profile: RuleProfile) -> list[voting_pb2.Option]:
    """Yes and no, and abstention only where the profile allows it (not in Bavaria)."""
    offered = [voting_pb2.Option(id="yes", label="Ja"), voting_pb2.Option(id="no", label="Nein")]
    if profile.abstention_allowed:
        offered.append(voting_pb2.Option(id="abstain", label="Enthaltung"))
    return offered


def election_options(
    request: voting_pb2.OpenPollRequest, candidates: list[tuple[str, str]] | None
) -> str:
    """Make the request an election of the clerk's candidates; returns the majority rule."""
    if not candidates:
        raise Problem(422, "candidates-required", m.CANDIDATES_REQUIRED)
    del request.options[:]
    request.options.extend(voting_pb2.Option(id=i, label=label) for i, label in candidates)
    request.kind = voting_pb2.POLL_KIND_ELECTION
    request.majority_rule = voting_pb2.MAJORITY_RULE_ELECTION
    return "election"
