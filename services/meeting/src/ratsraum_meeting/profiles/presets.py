"""Rule profiles: the law of each German state as a frozen preset a body chooses and adjusts.

Each preset cites the sentence of its Gemeindeordnung the quorum formula comes from. Where the
state code leaves a figure to the town's Geschäftsordnung (request thresholds, the deadline for
reporting a disruption), the preset carries a common default that the town overrides per body.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

QuorumFormula = Literal[
    # more than half of the statutory number of members present
    "more_than_half_statutory",
    # BY: a majority of the members present and entitled to vote
    "majority_present_entitled",
    # BW, SN: at least half present and entitled; a quarter if more than half are conflicted
    "half_with_quarter_fallback",
]
QUORUM_FORMULAS: tuple[QuorumFormula, ...] = (
    "more_than_half_statutory", "majority_present_entitled", "half_with_quarter_fallback",
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
    # Kinds of body that may never meet hybrid under this profile (NRW: main, finance, audit).
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
    # A member may demand that the minutes record how they voted (BY: Art. 54 Abs. 1 S. 3 GO).
    own_vote_on_record: bool


def _preset(code: str, name: str, *, quorum_formula: QuorumFormula, quorum_source: str,
            **rules: object) -> RuleProfile:
    """A preset with the rules most states share, changed where the state differs."""
    defaults: dict[str, object] = {
        "hybrid_allowed": True, "hybrid_excluded_kinds": frozenset(),
        "max_remote_members": None, "chair_in_room": False, "abstention_allowed": True,
        "remote_in_secret_votes": True, "remote_in_elections": True,
        # No state code fixes this figure; the Geschäftsordnung does. 15 minutes by default.
        "disruption_report_minutes": 15, "roll_call_request": None, "secret_request": None,
        "late_arrivals_join_open_votes": False,
        "own_vote_on_record": False,
    }
    defaults.update(rules)
    return RuleProfile(code=code, name=name, quorum_formula=quorum_formula,
                       quorum_source=quorum_source, **defaults)  # type: ignore[arg-type]


_NO_REMOTE_BALLOTS = {"remote_in_secret_votes": False, "remote_in_elections": False}

PRESETS: dict[str, RuleProfile] = {p.code: p for p in (
    # § 49 Abs. 1 GO NRW: "Der Rat ist beschlussfähig, wenn mehr als die Hälfte der gesetzlichen
    # Mitgliederzahl anwesend ist." Hybrid sessions exclude main, finance and audit committees
    # (DOMAIN.md). § 50 Abs. 1 GO NRW leaves the number for roll-call and secret votes to the
    # Geschäftsordnung; the model Geschäftsordnung asks for one fifth of the members.
    _preset("NRW", "Nordrhein-Westfalen", quorum_formula="more_than_half_statutory",
            quorum_source="§ 49 Abs. 1 GO NRW",
            hybrid_excluded_kinds=frozenset({"main_committee", "finance_committee",
                                             "audit_committee"}),
            roll_call_request=Threshold(1, 5), secret_request=Threshold(1, 5)),
    # Art. 47 Abs. 2 GO BY: "Der Gemeinderat ist beschlußfähig, wenn sämtliche Mitglieder
    # ordnungsgemäß geladen sind und die Mehrheit der Mitglieder anwesend und stimmberechtigt
    # ist." Art. 48 Abs. 1 Satz 2: no member may abstain. Chair in the room; no remote ballots.
    _preset("BY", "Bayern", quorum_formula="majority_present_entitled",
            quorum_source="Art. 47 Abs. 2 GO Bayern", chair_in_room=True,
            abstention_allowed=False, own_vote_on_record=True, **_NO_REMOTE_BALLOTS),
    # § 37 Abs. 2 GemO BW: "Er ist beschlussfähig, wenn mindestens die Hälfte aller Mitglieder
    # anwesend und stimmberechtigt ist. Bei Befangenheit von mehr als der Hälfte aller
    # Mitglieder ist der Gemeinderat beschlussfähig, wenn mindestens ein Viertel aller
    # Mitglieder anwesend und stimmberechtigt ist."
    _preset("BW", "Baden-Württemberg", quorum_formula="half_with_quarter_fallback",
            quorum_source="§ 37 Abs. 2 GemO BW", chair_in_room=True, **_NO_REMOTE_BALLOTS),
    # § 65 Abs. 1 NKomVG: "Die Vertretung ist beschlussfähig, wenn nach ordnungsgemäßer
    # Einberufung die Mehrheit ihrer Mitglieder anwesend ist" (majority = more than half).
    _preset("NI", "Niedersachsen", quorum_formula="more_than_half_statutory",
            quorum_source="§ 65 Abs. 1 NKomVG", chair_in_room=True, **_NO_REMOTE_BALLOTS),
    # § 39 Abs. 2 SächsGemO, worded as in BW: at least half present and entitled; a quarter
    # when more than half of all members are conflicted.
    _preset("SN", "Sachsen", quorum_formula="half_with_quarter_fallback",
            quorum_source="§ 39 Abs. 2 SächsGemO", **_NO_REMOTE_BALLOTS),
    # § 39 Abs. 1 GemO RP: "Der Gemeinderat ist beschlussfähig, wenn bei der Beschlussfassung
    # mehr als die Hälfte der gesetzlichen Zahl der Mitglieder anwesend ist."
    _preset("RP", "Rheinland-Pfalz", quorum_formula="more_than_half_statutory",
            quorum_source="§ 39 Abs. 1 GemO RP"),
    # § 44 Abs. 1 KSVG: "Der Gemeinderat ist beschlussfähig, wenn mehr als die Hälfte der
    # gesetzlichen Zahl der Mitglieder anwesend ist." Roll-call vote if more than a third of
    # the members request it; a request for a secret vote takes precedence (DOMAIN.md).
    _preset("SL", "Saarland", quorum_formula="more_than_half_statutory",
            quorum_source="§ 44 Abs. 1 KSVG", roll_call_request=Threshold(1, 3, more_than=True),
            secret_request=Threshold(1, 3, more_than=True), **_NO_REMOTE_BALLOTS),
    # § 38 Abs. 1 GO SH: "Die Gemeindevertretung ist beschlussfähig, wenn mehr als die Hälfte
    # der gesetzlichen Zahl der Gemeindevertreterinnen und -vertreter anwesend ist."
    _preset("SH", "Schleswig-Holstein", quorum_formula="more_than_half_statutory",
            quorum_source="§ 38 Abs. 1 GO SH"),
    # § 53 Abs. 1 HGO: "Die Gemeindevertretung ist beschlussfähig, wenn mehr als die Hälfte der
    # gesetzlichen Zahl der Gemeindevertreter anwesend ist."
    _preset("HE", "Hessen", quorum_formula="more_than_half_statutory",
            quorum_source="§ 53 Abs. 1 HGO"),
)}
