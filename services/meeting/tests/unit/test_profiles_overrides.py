"""A body's effective profile (preset + overrides), and the rules it applies to people and votes."""

from __future__ import annotations

from typing import Any

import pytest

from ratsraum_common.problems import Problem
from ratsraum_meeting.polls.law_gate import barred_ballot
from ratsraum_meeting.polls.profile_rules import choose_method, options
from ratsraum_meeting.profiles.effective import InvalidProfile, effective, preset, profile_json
from ratsraum_meeting.profiles.live import RequestState
from ratsraum_meeting.profiles.presets import PRESETS, Threshold
from ratsraum_meeting.profiles.service import presence_refusal


def test_overrides_change_single_rules_and_keep_the_rest() -> None:
    profile = effective("BY", {"max_remote_members": 3, "disruption_report_minutes": 30,
                               "roll_call_request": {"numerator": 1, "denominator": 4}})
    assert (profile.max_remote_members, profile.disruption_report_minutes) == (3, 30)
    assert profile.roll_call_request == Threshold(1, 4)
    assert profile.abstention_allowed is False  # untouched rule of the preset
    assert profile_json(profile)["quorum_source"] == "Art. 47 Abs. 2 GO Bayern"


def test_no_overrides_is_the_preset() -> None:
    for code, profile in PRESETS.items():
        assert effective(code, None) == profile
        same = {k: v for k, v in profile_json(profile).items()
                if k not in ("code", "name", "quorum_source")}
        assert effective(code, same) == profile  # its own values, as JSON, round-trip


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"code": "BY"}, "kann nicht angepasst werden"),
        ({"quorum_source": "x"}, "kann nicht angepasst werden"),
        ({"abstention_allowed": "vielleicht"}, "abstention_allowed"),
        ({"quorum_formula": "two_thirds"}, "quorum_formula"),
        ({"hybrid_excluded_kinds": ["zoo"]}, "hybrid_excluded_kinds"),
        ({"hybrid_conditions_council": ["prayer"]}, "hybrid_conditions_council"),
        ({"barred_with_remote": ["picnic"]}, "barred_with_remote"),
        ({"quorum_conflict_fallback": "half"}, "quorum_conflict_fallback"),
        ({"supervisory_notice_days": -1}, "supervisory_notice_days"),
        ({"max_remote_members": -1}, "max_remote_members"),
        ({"disruption_report_minutes": 5000}, "disruption_report_minutes"),
        ({"secret_request": {"numerator": 4, "denominator": 3}}, "secret_request"),
    ],
)
def test_invalid_overrides_are_refused_with_the_field(overrides: dict[str, Any],
                                                      fragment: str) -> None:
    with pytest.raises(InvalidProfile) as refused:
        effective("NRW", overrides)
    assert fragment in " ".join(refused.value.errors)


def test_unknown_preset_is_refused() -> None:
    with pytest.raises(InvalidProfile, match="Unbekanntes Regelprofil"):
        preset("XX")


@pytest.mark.parametrize(
    ("code", "kind", "is_chair", "remote_now", "overrides", "refusal"),
    [
        ("NRW", "committee", False, 0, {}, None),
        # § 58a GO NRW: main, finance and audit committees meet hybrid under the council's
        # conditions (§ 47a), which hybrid_rules checks, not excluded outright.
        ("NRW", "finance_committee", False, 0, {}, None),
        ("NRW", "main_committee", False, 0, {"hybrid_excluded_kinds": ["main_committee"]},
         "hybrid-not-allowed"),
        ("HE", "finance_committee", False, 0, {}, None),
        ("HE", "committee", False, 0, {"hybrid_allowed": False}, "hybrid-not-allowed"),
        ("BY", "council", True, 0, {}, "chair-must-be-in-room"),
        ("NRW", "council", True, 0, {}, "chair-must-be-in-room"),  # § 5 Abs. 1 DigiSiVO
        ("NRW", "council", True, 0, {"chair_in_room": False}, None),
        ("SH", "council", True, 0, {}, "chair-must-be-in-room"),  # § 34a Abs. 1 S. 2 GO SH
        ("SH", "council", False, 2, {"max_remote_members": 2}, "remote-cap-reached"),
        ("SH", "council", False, 1, {"max_remote_members": 2}, None),
    ],
)
def test_remote_presence_under_the_profile(code: str, kind: str, is_chair: bool,
                                           remote_now: int, overrides: dict[str, Any],
                                           refusal: str | None) -> None:
    problem = presence_refusal(profile=effective(code, overrides), kind=kind,
                               presence="remote", is_chair=is_chair, remote_now=remote_now)
    assert (problem.code if problem else None) == refusal
    in_room = presence_refusal(profile=effective(code, overrides), kind=kind,
                               presence="in_room", is_chair=is_chair, remote_now=remote_now)
    assert in_room is None


def _states(roll_call: bool, secret: bool) -> tuple[RequestState, RequestState]:
    return (RequestState("roll_call", 4 if roll_call else 1, 4, "mehr als 1/3", roll_call),
            RequestState("secret", 4 if secret else 0, 4, "mehr als 1/3", secret))


@pytest.mark.parametrize(
    ("asked", "roll_call", "secret", "chosen"),
    [(None, False, False, "open"), (None, True, False, "roll_call"),
     (None, True, True, "secret"), (None, False, True, "secret"),
     ("roll_call", False, False, "roll_call"), ("secret", True, False, "secret"),
     ("roll_call", True, False, "roll_call")],
)
def test_requests_decide_the_default_method(asked: str | None, roll_call: bool, secret: bool,
                                            chosen: str) -> None:
    assert choose_method(asked=asked, requested="secret" if secret else (
        "roll_call" if roll_call else None), number="Ö 3",
        states=_states(roll_call, secret)) == chosen


def test_a_weaker_method_than_requested_is_refused() -> None:
    with pytest.raises(Problem) as refused:
        choose_method(asked="open", requested="roll_call", number="Ö 3",
                      states=_states(True, False))
    assert refused.value.code == "vote-method-requested"
    assert "namentliche Abstimmung" in refused.value.detail.render(
        "de", number="Ö 3", kind="namentliche Abstimmung", kind_en="", count=4, required=4)


def test_abstention_is_offered_only_where_allowed() -> None:
    assert [o.id for o in options(PRESETS["NRW"])] == ["yes", "no", "abstain"]
    assert [o.id for o in options(PRESETS["BY"])] == ["yes", "no"]
    assert [o.label for o in options(PRESETS["BY"])] == ["Ja", "Nein"]


# Per state: the ballots remote members may not take part in (they are left off that roll;
# where the law bars the whole vote instead, profiles.hybrid_rules.poll_refusal says so).
REMOTE_BARRED = {
    "BB": (None, "election"), "BW": (None, "election"), "BY": (None, "election"),
    "HE": (None, None), "MV": (None, None), "NI": ("secret", "election"),
    "NRW": (None, None), "RP": ("secret", "election"), "SH": (None, None),
    "SL": ("secret", "election"), "SN": (None, "election"), "ST": (None, "election"),
    "TH": (None, None),
}


@pytest.mark.parametrize("code", sorted(REMOTE_BARRED))
def test_ballots_remote_members_are_left_off(code: str) -> None:
    secret, election = REMOTE_BARRED[code]
    profile = PRESETS[code]
    assert barred_ballot(profile=profile, method="secret", election=False) == secret
    assert barred_ballot(profile=profile, method="secret", election=True) == election
    assert barred_ballot(profile=profile, method="election", election=True) == election
    for method in ("open", "roll_call"):
        assert barred_ballot(profile=profile, method=method, election=False) is None
