"""Each state's preset, rule by rule, and its quorum formula on concrete numbers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ratsraum_meeting.profiles.law import STATES as LAW
from ratsraum_meeting.profiles.presets import PRESETS, Threshold
from ratsraum_meeting.profiles.quorum import evaluate

STATES = ("BB", "BW", "BY", "HE", "MV", "NI", "NRW", "RP", "SH", "SL", "SN", "ST", "TH")
_COUNCIL_KINDS_NRW = ["audit_committee", "council", "district_council", "finance_committee",
                      "main_committee"]


@dataclass(frozen=True)
class Expected:
    """What each state's code says, as issue 15 and the check of 2026-12-06 found it."""

    chair_in_room: bool
    formula: str
    fallback: str
    council: list[str]          # conditions before a hybrid council session
    committee: list[str]        # conditions before a hybrid committee session
    barred: list[str]           # items and ballots barred while a member is remote
    remote_secret: bool         # remote members in secret votes
    remote_elections: bool      # remote members in elections
    certified: bool = False     # remote secret ballots only with a certified system
    postal: bool = False        # else by postal ballot afterwards
    secret_votes: bool = True   # secret votes on motions at all
    abstention: bool = True
    own_vote: bool = False
    roll_call: Threshold | None = None
    secret: Threshold | None = None
    declared_by: str | None = None
    notice_days: int | None = None
    # remote members left off a ballot's roll leave its quorum count too
    leave_quorum: bool = False


_EMERGENCY_2_3 = ["emergency_declared", "two_thirds_decision"]
_HALF = "more_than_half_statutory"
TABLE: dict[str, Expected] = {
    "BB": Expected(True, _HALF, "none", ["reasoned_request"], ["reasoned_request"],
                   ["constituent_session"], True, False, secret_votes=False,
                   leave_quorum=True),
    "BW": Expected(True, "at_least_half_entitled", "quarter", [], [], [], True, False,
                   leave_quorum=True),
    "BY": Expected(True, "majority_present_entitled", "none", [], [], [], True, False,
                   abstention=False, own_vote=True, leave_quorum=True, secret_votes=False),
    "HE": Expected(True, _HALF, "regardless", [], [], [], True, True, own_vote=True,
                   secret_votes=False),
    "MV": Expected(True, _HALF, "more_than_third", [], [], ["constituent_session"], True,
                   True),
    "NI": Expected(True, _HALF, "regardless", [], [], ["election", "secret_vote"], False,
                   False, own_vote=True),
    "NRW": Expected(True, _HALF, "none", _EMERGENCY_2_3, [], [], True, True, certified=True,
                    postal=True, roll_call=Threshold(1, 5), secret=Threshold(1, 5),
                    declared_by="council"),
    "RP": Expected(False, _HALF, "third", ["member_consent"], ["member_consent"],
                   ["budget_bylaw", "bylaw", "constituent_session"], False, False,
                   leave_quorum=True),
    "SH": Expected(True, _HALF, "reduced_statutory_three", [], [], ["constituent_session"],
                   True, True, certified=True, secret_votes=False),
    "SL": Expected(False, _HALF, "three_members", _EMERGENCY_2_3, [],
                   ["election", "secret_vote"], False, False,
                   roll_call=Threshold(1, 3, more_than=True),
                   secret=Threshold(1, 3, more_than=True), declared_by="council"),
    "SN": Expected(False, "at_least_half_entitled", "quarter",
                   ["emergency_declared", "supervisory_notice"],
                   ["emergency_declared", "supervisory_notice"], ["budget_bylaw", "election"],
                   True, False, notice_days=7, leave_quorum=True),
    "ST": Expected(False, _HALF, "regardless", ["emergency_declared"], ["emergency_declared"],
                   ["election"], True, False, declared_by="supervisory_authority"),
    "TH": Expected(False, _HALF, "none", ["emergency_confirmed", "emergency_declared"],
                   ["emergency_declared"], [],
                   True, True, own_vote=True, declared_by="mayor"),
}


def test_every_state_has_a_preset() -> None:
    assert set(STATES) == set(PRESETS) == set(TABLE)


@pytest.mark.parametrize("code", STATES)
def test_preset_rules_per_state(code: str) -> None:
    profile, expected = PRESETS[code], TABLE[code]
    assert profile.code == code
    assert profile.hybrid_allowed is True
    assert profile.hybrid_excluded_kinds == frozenset()
    council_kinds = _COUNCIL_KINDS_NRW if code == "NRW" else ["council"]
    assert sorted(profile.hybrid_council_kinds) == council_kinds
    assert profile.chair_in_room is expected.chair_in_room
    assert profile.quorum_formula == expected.formula
    assert profile.quorum_conflict_fallback == expected.fallback
    assert profile.quorum_fallback_needs_approval is (code == "NI")
    assert sorted(profile.hybrid_conditions_council) == expected.council
    assert sorted(profile.hybrid_conditions_committee) == expected.committee
    assert profile.hybrid_emergency_declared_by == expected.declared_by
    assert profile.hybrid_emergency_valid_months == (2 if code == "NRW" else None)
    assert profile.supervisory_notice_days == expected.notice_days
    assert sorted(profile.barred_with_remote) == expected.barred
    assert profile.remote_in_secret_votes is expected.remote_secret
    assert profile.remote_in_elections is expected.remote_elections
    assert profile.remote_secret_needs_certified_system is expected.certified
    assert profile.remote_secret_postal_fallback is expected.postal
    assert profile.certified_voting_system is False  # a fact the town records, not law
    assert profile.secret_votes_allowed is expected.secret_votes
    assert profile.abstention_allowed is expected.abstention
    assert profile.own_vote_on_record is expected.own_vote
    assert profile.roll_call_request == expected.roll_call
    assert profile.secret_request == expected.secret
    assert profile.disruption_report_minutes == 15
    assert profile.late_arrivals_join_open_votes is False
    assert profile.max_remote_members is None
    assert profile.remote_left_off_leave_quorum is expected.leave_quorum


# (state, present, statutory, conflicted_present, conflicted, quorate, required)
QUORUM_CASES = [
    ("NRW", 6, 11, 0, 0, True, 6), ("NRW", 5, 10, 0, 0, False, 6),
    ("NRW", 7, 11, 2, 2, False, 6),  # two conflicted leave the count for the item
    ("BY", 6, 11, 0, 0, True, 6), ("BY", 6, 11, 1, 1, False, 6),
    ("BY", 5, 10, 0, 0, False, 6),  # majority of the members, not half
    ("BW", 5, 10, 0, 0, True, 5),  # at least half suffices
    ("BW", 5, 11, 0, 0, False, 6),
    ("BW", 9, 11, 6, 6, True, 3),  # more than half conflicted: a quarter (3 of 11)
    ("BW", 8, 11, 6, 6, False, 3),  # 2 entitled present are not a quarter
    ("BW", 10, 11, 5, 5, False, 6),  # exactly 5 of 11 conflicted is not more than half
    ("NI", 6, 11, 0, 0, True, 6), ("NI", 5, 11, 0, 0, False, 6),
    ("SN", 5, 10, 0, 0, True, 5), ("SN", 8, 20, 0, 11, True, 5),
    ("RP", 26, 50, 0, 0, True, 26), ("RP", 25, 50, 0, 0, False, 26),
    ("SL", 17, 33, 0, 0, True, 17), ("SL", 16, 33, 0, 0, False, 17),
    ("SH", 12, 23, 0, 0, True, 12), ("SH", 11, 23, 0, 0, False, 12),
    ("HE", 47, 93, 0, 0, True, 47), ("HE", 47, 93, 1, 1, False, 47),
    ("BB", 16, 31, 0, 0, True, 16), ("MV", 15, 31, 0, 0, False, 16),
    ("ST", 21, 40, 0, 0, True, 21), ("TH", 18, 36, 0, 0, False, 19),
    # Fallbacks when more than half of the statutory members are conflicted on the item.
    ("SN", 11, 20, 6, 11, True, 5), ("SN", 10, 20, 6, 11, False, 5),  # a quarter of 20
    ("SL", 20, 33, 17, 17, True, 3), ("SL", 19, 33, 17, 17, False, 3),  # three suffice
    ("SL", 20, 33, 16, 16, False, 17),  # 16 of 33 is not more than half: no fallback
    ("SH", 15, 23, 5, 5, True, 10), ("SH", 14, 23, 5, 5, False, 10),  # 23 - 5 = 18 -> 10
    ("SH", 15, 23, 12, 12, True, 3), ("SH", 14, 23, 12, 12, False, 3),  # shrunk > half
    ("NI", 7, 11, 6, 6, True, 1), ("HE", 48, 93, 47, 47, True, 1),  # regardless
    ("ST", 22, 40, 21, 21, True, 1), ("ST", 21, 40, 21, 21, False, 1),  # nobody left to vote
    ("RP", 18, 50, 1, 1, True, 17), ("RP", 17, 50, 1, 1, False, 17),  # any exclusion: a third
    ("RP", 44, 50, 26, 26, True, 17),  # 18 entitled present of 24 who may vote
    ("NRW", 11, 11, 6, 6, False, 6), ("BY", 11, 11, 6, 6, False, 6),  # no fallback
    ("TH", 36, 36, 19, 19, False, 19),
    # MV: more than half excluded -> more than a third of all members (§ 30 Abs. 2 KV M-V).
    ("MV", 27, 31, 16, 16, True, 11), ("MV", 26, 31, 16, 16, False, 11),
    ("MV", 26, 30, 16, 16, False, 11),  # ten of 30 is a third, not more than a third
    ("MV", 30, 31, 15, 15, False, 16),  # 15 of 31 is not more than half: no fallback
]


@pytest.mark.parametrize(
    ("code", "present", "statutory", "conflicted_present", "conflicted", "quorate", "required"),
    QUORUM_CASES,
)
def test_quorum_formula_per_state(code: str, present: int, statutory: int,
                                  conflicted_present: int, conflicted: int, quorate: bool,
                                  required: int) -> None:
    result = evaluate(rule=code, present=present, statutory_members=statutory,
                      conflicted_present=conflicted_present, conflicted=conflicted)
    assert (result.quorate, result.required) == (quorate, required)
    assert result.present == present - conflicted_present
    assert f"{present - conflicted_present} von {statutory}" in result.explanation
    assert f"mindestens {required}" in result.explanation
    fallback = LAW[code].rules["quorum_conflict_fallback"]
    if fallback.value == "third" and conflicted:
        assert fallback.citation in result.explanation  # RP: any exclusion, its own sentence
    elif conflicted * 2 > statutory and fallback.value != "none":
        assert fallback.citation in result.explanation  # the fallback's own sentence
    elif not (fallback.value == "reduced_statutory_three" and conflicted):
        assert PRESETS[code].quorum_source in result.explanation
    assert ("nicht beschlussfähig" in result.explanation) is not quorate
    if conflicted_present:
        assert f"ohne {conflicted_present} befangene" in result.explanation
    assert result.explanation_en.startswith("The body is")


def test_the_quarter_fallback_is_named_in_the_explanation() -> None:
    result = evaluate(rule="BW", present=9, statutory_members=11, conflicted_present=6,
                      conflicted=6)
    assert "ein Viertel" in result.explanation
    assert "§ 37 Abs. 2 S. 2 GemO BW" in result.explanation


@pytest.mark.parametrize(
    ("threshold", "members", "required"),
    [(Threshold(1, 3, more_than=True), 11, 4), (Threshold(1, 3, more_than=True), 12, 5),
     (Threshold(1, 5), 11, 3), (Threshold(1, 5), 10, 2), (Threshold(1, 4), 1, 1)],
)
def test_request_thresholds(threshold: Threshold, members: int, required: int) -> None:
    assert threshold.required(members) == required


# A ballot remote members may not join (an election) with `remote` of them present:
# (state, present incl. remote, statutory, remote, quorate, required). Where the law counts
# members present and entitled to vote (BY, BW, SN) or keeps them out of the item (BB), they
# leave the ballot's count; elsewhere a body that leaves them off a roll still counts them.
REMOTE_QUORUM_CASES = [
    ("BY", 6, 11, 1, False, 6), ("BY", 7, 11, 1, True, 6),
    ("BW", 6, 11, 1, False, 6), ("BW", 5, 10, 0, True, 5), ("BW", 6, 10, 1, True, 5),
    ("BB", 16, 31, 1, False, 16), ("BB", 17, 31, 1, True, 16),
    ("SN", 10, 20, 1, False, 10), ("RP", 26, 50, 1, False, 26),
    ("NRW", 6, 11, 1, True, 6), ("HE", 47, 93, 2, True, 47), ("MV", 16, 31, 1, True, 16),
    ("SH", 12, 23, 1, True, 12), ("TH", 19, 36, 1, True, 19), ("NI", 6, 11, 1, True, 6),
    ("SL", 17, 33, 1, True, 17), ("ST", 21, 40, 1, True, 21),
]


def test_every_state_has_a_remote_quorum_case() -> None:
    assert {case[0] for case in REMOTE_QUORUM_CASES} == set(STATES)


@pytest.mark.parametrize(("code", "present", "statutory", "remote", "quorate", "required"),
                         REMOTE_QUORUM_CASES)
def test_remote_members_left_off_a_roll_and_the_quorum(
        code: str, present: int, statutory: int, remote: int, quorate: bool,
        required: int) -> None:
    rule = LAW[code].rules["remote_left_off_leave_quorum"]
    left_off = remote if PRESETS[code].remote_left_off_leave_quorum else 0
    result = evaluate(rule=code, present=present, statutory_members=statutory,
                      left_off=left_off, left_off_source=rule.citation)
    assert (result.quorate, result.required, result.left_off) == (quorate, required, left_off)
    assert result.present == present - left_off
    if left_off:
        assert f"ohne {left_off} per Video zugeschaltete" in result.explanation
        assert rule.citation in result.explanation
        assert rule.citation in result.explanation_en
    else:
        assert "per Video" not in result.explanation
