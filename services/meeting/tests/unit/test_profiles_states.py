"""Each state's preset, rule by rule, and its quorum formula on concrete numbers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ratsraum_meeting.profiles.presets import PRESETS, Threshold
from ratsraum_meeting.profiles.quorum import evaluate

STATES = ("NRW", "BY", "BW", "NI", "SN", "RP", "SL", "SH", "HE")
_NRW_EXCLUDED = ["audit_committee", "finance_committee", "main_committee"]


@dataclass(frozen=True)
class Expected:
    """What the state's municipal code says about one preset (cited in profiles/presets.py)."""

    excluded: list[str]
    chair_in_room: bool
    formula: str
    abstention: bool
    remote_ballots: bool
    roll_call: Threshold | None
    secret: Threshold | None


_ALLOWED = dict(chair_in_room=False, abstention=True, remote_ballots=True, roll_call=None,
                secret=None)
TABLE: dict[str, Expected] = {
    "NRW": Expected(_NRW_EXCLUDED, False, "more_than_half_statutory", True, True,
                    Threshold(1, 5), Threshold(1, 5)),
    "BY": Expected([], True, "majority_present_entitled", False, False, None, None),
    "BW": Expected([], True, "half_with_quarter_fallback", True, False, None, None),
    "NI": Expected([], True, "more_than_half_statutory", True, False, None, None),
    "SN": Expected([], False, "half_with_quarter_fallback", True, False, None, None),
    "RP": Expected([], formula="more_than_half_statutory", **_ALLOWED),  # type: ignore[arg-type]
    "SL": Expected([], False, "more_than_half_statutory", True, False,
                   Threshold(1, 3, more_than=True), Threshold(1, 3, more_than=True)),
    "SH": Expected([], formula="more_than_half_statutory", **_ALLOWED),  # type: ignore[arg-type]
    "HE": Expected([], formula="more_than_half_statutory", **_ALLOWED),  # type: ignore[arg-type]
}


def test_every_required_state_has_a_preset() -> None:
    assert set(STATES) <= set(PRESETS)


@pytest.mark.parametrize("code", STATES)
def test_preset_rules_per_state(code: str) -> None:
    profile, expected = PRESETS[code], TABLE[code]
    assert profile.code == code
    assert profile.hybrid_allowed is True
    assert sorted(profile.hybrid_excluded_kinds) == expected.excluded
    assert profile.chair_in_room is expected.chair_in_room
    assert profile.quorum_formula == expected.formula
    assert profile.abstention_allowed is expected.abstention
    assert profile.remote_in_secret_votes is expected.remote_ballots
    assert profile.remote_in_elections is expected.remote_ballots
    assert profile.roll_call_request == expected.roll_call
    assert profile.secret_request == expected.secret
    assert profile.disruption_report_minutes > 0
    assert profile.quorum_source  # every preset cites its source


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
    assert PRESETS[code].quorum_source in result.explanation
    assert ("nicht beschlussfähig" in result.explanation) is not quorate
    if conflicted_present:
        assert f"ohne {conflicted_present} befangene" in result.explanation
    assert result.explanation_en.startswith("The body is")


def test_the_quarter_fallback_is_named_in_the_explanation() -> None:
    result = evaluate(rule="BW", present=9, statutory_members=11, conflicted_present=6,
                      conflicted=6)
    assert "ein Viertel" in result.explanation
    assert "§ 37 Abs. 2 GemO BW" in result.explanation


@pytest.mark.parametrize(
    ("threshold", "members", "required"),
    [(Threshold(1, 3, more_than=True), 11, 4), (Threshold(1, 3, more_than=True), 12, 5),
     (Threshold(1, 5), 11, 3), (Threshold(1, 5), 10, 2), (Threshold(1, 4), 1, 1)],
)
def test_request_thresholds(threshold: Threshold, members: int, required: int) -> None:
    assert threshold.required(members) == required
