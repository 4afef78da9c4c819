"""Rule profiles: the law of each German state as a frozen preset a body chooses and adjusts.

The values and the citation of every rule live in `profiles/law/<state>.toml`, one file per
state, so a legal office reads and checks them in one place (docs/law.md is generated from
them). This module only defines what a profile can say; `profiles/law.py` loads the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import TypeAdapter

from ratsraum_meeting.profiles.law import STATES, StateLaw

QuorumFormula = Literal[
    # more than half of the statutory number of members present
    "more_than_half_statutory",
    # BY: a majority of the members present and entitled to vote
    "majority_present_entitled",
    # BW, SN: at least half of all members present and entitled to vote
    "at_least_half_entitled",
    # Earlier name of at_least_half_entitled with the quarter fallback built in; stored
    # overrides may still carry it.
    "half_with_quarter_fallback",
]
QUORUM_FORMULAS: tuple[QuorumFormula, ...] = (
    "more_than_half_statutory", "majority_present_entitled", "at_least_half_entitled",
    "half_with_quarter_fallback",
)
# What applies when so many members are excluded for a conflict of interest that the normal
# formula cannot be met (docs/law.md, "Quorum").
ConflictFallback = Literal[
    "none",
    # BW, SN: more than half of all members conflicted -> a quarter of all members suffices
    "quarter",
    # SL: more than half conflicted -> three members entitled to vote suffice
    "three_members",
    # SH: the statutory number shrinks by the conflicted; shrunk by more than half -> three
    "reduced_statutory_three",
    # NI, HE, ST: more than half conflicted -> quorate whatever the number present
    "regardless",
    # RP: members excluded for a conflict -> a third of the statutory number suffices
    "third",
    # MV: more than half of all members excluded -> more than a third of all members suffices
    "more_than_third",
]
CONFLICT_FALLBACKS: tuple[ConflictFallback, ...] = (
    "none", "quarter", "three_members", "reduced_statutory_three", "regardless", "third",
    "more_than_third",
)
BodyKind = Literal[
    "council", "main_committee", "finance_committee", "audit_committee", "committee",
    "district_council",
]
BODY_KINDS: tuple[BodyKind, ...] = (
    "council", "main_committee", "finance_committee", "audit_committee", "committee",
    "district_council",
)
DEFAULT_KIND: BodyKind = "committee"
# What must be on record before a session with remote members opens (docs/law.md, "Sessions").
HybridCondition = Literal[
    "emergency_declared",   # an emergency declared (by whom: hybrid_emergency_declared_by)
    "two_thirds_decision",  # two thirds of the statutory members decided for the hybrid session
    "supervisory_notice",   # the supervisory authority was told supervisory_notice_days ahead
    "member_consent",       # each remote member consented to taking part remotely
    "reasoned_request",     # each remote member asked, with a reason (work, family, health)
    "emergency_confirmed",  # the council decided on the declared emergency's continuance at
                            # its next session; later sessions need that decision (TH)
]
HYBRID_CONDITIONS: tuple[HybridCondition, ...] = (
    "emergency_declared", "two_thirds_decision", "supervisory_notice", "member_consent",
    "reasoned_request", "emergency_confirmed",
)
EmergencyAuthority = Literal["council", "mayor", "supervisory_authority"]
# Items and ballots a session with any remote member may not hold.
BarredKind = Literal["constituent_session", "bylaw", "budget_bylaw", "election", "secret_vote"]
BARRED_KINDS: tuple[BarredKind, ...] = (
    "constituent_session", "bylaw", "budget_bylaw", "election", "secret_vote",
)


@dataclass(frozen=True, slots=True)
class Threshold:
    """A share of the statutory members, e.g. "more than a third" (1/3, more_than=True)."""

    numerator: int
    denominator: int
    more_than: bool = False

    def required(self, members: int) -> int:
        """The smallest number of requests that reaches the threshold."""
        share = members * self.numerator / self.denominator
        return math.floor(share) + 1 if self.more_than else max(1, math.ceil(share))

    def describe(self) -> str:
        """German wording, e.g. "mehr als 1/3"."""
        prefix = "mehr als" if self.more_than else "mindestens"
        return f"{prefix} {self.numerator}/{self.denominator}"


@dataclass(frozen=True, slots=True)
class RuleProfile:
    """Everything the law of a state decides about a hybrid session, its quorum and votes."""

    code: str
    name: str
    hybrid_allowed: bool
    # Kinds of body that may never meet hybrid under this profile.
    hybrid_excluded_kinds: frozenset[BodyKind]
    max_remote_members: int | None
    chair_in_room: bool
    quorum_formula: QuorumFormula
    quorum_source: str
    abstention_allowed: bool
    remote_in_secret_votes: bool
    remote_in_elections: bool
    disruption_report_minutes: int
    roll_call_request: Threshold | None
    secret_request: Threshold | None
    # Whether a member admitted or checked in while a vote is open is added to its roll.
    # No state code provides for it: the roll is the members present when the vote opens
    # (present minus conflicted), so every preset keeps it off. A town whose
    # Geschäftsordnung lets late arrivals vote turns it on per body; each addition is logged
    # in voting's audit chain with its reason. Conflicted members are never added.
    late_arrivals_join_open_votes: bool
    # A member may demand that the minutes record how they voted (not for secret votes).
    own_vote_on_record: bool
    # Kinds that meet hybrid only under the council's conditions (NRW: also the main,
    # finance and audit committees); every other kind uses the committee conditions.
    hybrid_council_kinds: frozenset[BodyKind] = frozenset({"council"})
    hybrid_conditions_council: frozenset[HybridCondition] = frozenset()
    hybrid_conditions_committee: frozenset[HybridCondition] = frozenset()
    # Who must declare the emergency, where one is a condition (None: the record says who).
    hybrid_emergency_declared_by: EmergencyAuthority | None = None
    # How long an emergency decision carries hybrid sessions (NRW: at most two months).
    hybrid_emergency_valid_months: int | None = None
    # Days the supervisory authority must be told ahead (SN: seven).
    supervisory_notice_days: int | None = None
    # Items and ballots barred while any member takes part remotely.
    barred_with_remote: frozenset[BarredKind] = frozenset()
    # Whether motions may be voted on secretly at all (SH: no; elections stay secret).
    secret_votes_allowed: bool = True
    # Remote members join secret votes and elections only through a certified voting system
    # (NRW, SH); `certified_voting_system` says whether the body's system is one.
    remote_secret_needs_certified_system: bool = False
    certified_voting_system: bool = False
    # Without one, the secret vote is held afterwards by postal ballot (NRW) instead.
    remote_secret_postal_fallback: bool = False
    quorum_conflict_fallback: ConflictFallback = "none"
    # Whether remote members left off a ballot's roll (remote_in_secret_votes /
    # remote_in_elections off) also leave that ballot's quorum count: where the quorum counts
    # members "present and entitled to vote" (BY, BW, SN) or where they may not take part in
    # the item at all (BB). Elsewhere they stay present for the quorum.
    remote_left_off_leave_quorum: bool = False
    # NI: decisions under the conflict fallback need the supervisory authority's approval.
    quorum_fallback_needs_approval: bool = False


def council_rules_apply(profile: RuleProfile, kind: str) -> bool:
    """Whether a body of this kind meets hybrid under the council's conditions."""
    return kind in profile.hybrid_council_kinds


def hybrid_conditions(profile: RuleProfile, kind: str) -> frozenset[HybridCondition]:
    """The conditions that must be on record before a body of this kind meets hybrid."""
    if council_rules_apply(profile, kind):
        return profile.hybrid_conditions_council
    return profile.hybrid_conditions_committee


def _build(state: StateLaw) -> RuleProfile:
    """The preset of one state from its law data; the types validate every value."""
    values: dict[str, Any] = {name: rule.value for name, rule in state.rules.items()}
    values.update(code=state.code, name=state.name,
                  quorum_source=state.rules["quorum_formula"].citation)
    return TypeAdapter(RuleProfile).validate_python(values)


PRESETS: dict[str, RuleProfile] = {code: _build(state) for code, state in STATES.items()}
