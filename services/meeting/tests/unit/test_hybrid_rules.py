"""Per state: when a meeting may run with remote members, and which votes it may then hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from ratsraum_meeting.profiles.effective import effective
from ratsraum_meeting.profiles.hybrid_rules import (
    HybridRecord,
    Refusal,
    RemoteMember,
    citation,
    needs_confirmation_now,
    poll_refusal,
    session_refusal,
)
from ratsraum_meeting.profiles.law import STATES
from ratsraum_meeting.profiles.presets import PRESETS

DAY = date(2026, 12, 10)
NONE = HybridRecord()


def _emergency(by: str, on: date = date(2026, 12, 1)) -> HybridRecord:
    return HybridRecord(emergency_declared_on=on, emergency_declared_by=by)


def _two_thirds(record: HybridRecord, yes: int) -> HybridRecord:
    return replace(record, two_thirds_decided_on=date(2026, 12, 1), two_thirds_yes=yes)


COUNCIL_2_3 = _two_thirds(_emergency("council"), 8)  # 8 of 11 is two thirds
SN_OK = replace(_emergency("council"), supervisory_notified_on=date(2026, 12, 3))
P1_P2 = ("p1", "p2")
# (state, kind, record, remote members, expected refusal code)
SESSION_CASES: list[tuple[str, str, HybridRecord, tuple[str, ...], str | None]] = [
    # § 47a GO NRW: council, and main/finance/audit committees, only in an emergency found by
    # two thirds of the council, for at most two months; other committees freely (§ 58a).
    ("NRW", "council", NONE, ("p1",), "hybrid-emergency-missing"),
    ("NRW", "council", COUNCIL_2_3, ("p1",), None),
    ("NRW", "council", _two_thirds(_emergency("council"), 7), ("p1",),
     "hybrid-two-thirds-missing"),
    ("NRW", "council", _two_thirds(_emergency("mayor"), 8), ("p1",),
     "hybrid-emergency-authority"),
    ("NRW", "council", _two_thirds(_emergency("council", date(2026, 10, 9)), 8), ("p1",),
     "hybrid-emergency-expired"),
    ("NRW", "council", _two_thirds(_emergency("council", date(2026, 10, 10)), 8), ("p1",),
     None),
    ("NRW", "main_committee", NONE, ("p1",), "hybrid-emergency-missing"),
    ("NRW", "audit_committee", COUNCIL_2_3, ("p1",), None),
    ("NRW", "committee", NONE, ("p1",), None),
    ("NRW", "council", NONE, (), None),  # nobody remote: nothing to record
    # § 36a SächsGemO: exceptional cases, supervisory authority told seven days ahead.
    ("SN", "council", SN_OK, ("p1",), None),
    ("SN", "council", replace(SN_OK, supervisory_notified_on=date(2026, 12, 4)), ("p1",),
     "hybrid-notice-missing"),
    ("SN", "council", replace(SN_OK, emergency_declared_on=None), ("p1",),
     "hybrid-emergency-missing"),
    ("SN", "committee", _emergency("council"), ("p1",), "hybrid-notice-missing"),
    # § 35a GemO RP: each remote member consents; never in the constituent session.
    ("RP", "council", HybridRecord(remote_members={"p1": RemoteMember(consent=True)}), P1_P2,
     "hybrid-consent-missing"),
    ("RP", "council", HybridRecord(remote_members={p: RemoteMember(consent=True)
                                                   for p in P1_P2}), P1_P2, None),
    ("RP", "council", HybridRecord(constituent_session=True), ("p1",),
     "hybrid-constituent-session"),
    # § 34 Abs. 2 BbgKVerf: a reasoned request per remote member; not the constituent session.
    ("BB", "council", HybridRecord(remote_members={"p1": RemoteMember(reason=" ")}), ("p1",),
     "hybrid-request-missing"),
    ("BB", "council", HybridRecord(remote_members={"p1": RemoteMember(reason="Pflege")}),
     ("p1",), None),
    ("BB", "council", HybridRecord(constituent_session=True), ("p1",),
     "hybrid-constituent-session"),
    # § 51a KSVG: council in an extraordinary emergency with two thirds of the statutory
    # members; committees by the rules of procedure (§ 48 Abs. 6).
    ("SL", "council", _emergency("council"), ("p1",), "hybrid-two-thirds-missing"),
    ("SL", "council", COUNCIL_2_3, ("p1",), None),
    ("SL", "committee", NONE, ("p1",), None),
    # § 56a KVG LSA: the supervisory authority finds the emergency.
    ("ST", "committee", _emergency("council"), ("p1",), "hybrid-emergency-authority"),
    ("ST", "council", _emergency("supervisory_authority"), ("p1",), None),
    # § 36a ThürKO: the mayor finds the emergency.
    ("TH", "council", _emergency("mayor"), ("p1",), None),
    ("TH", "council", NONE, ("p1",), "hybrid-emergency-missing"),
    # § 34a GO SH: by main statute, not in the constituent session.
    ("SH", "council", NONE, ("p1",), None),
    ("SH", "council", HybridRecord(constituent_session=True), ("p1",),
     "hybrid-constituent-session"),
    # No conditions found in the law of these states.
    ("BY", "council", NONE, ("p1",), None), ("BW", "council", NONE, ("p1",), None),
    ("HE", "council", NONE, ("p1",), None), ("NI", "council", NONE, ("p1",), None),
    ("MV", "council", NONE, ("p1",), None),
    # § 29a Abs. 1 S. 3 KV M-V: not in the constituent session.
    ("MV", "council", HybridRecord(constituent_session=True), ("p1",),
     "hybrid-constituent-session"),
]


def _assert_cites(refusal: Refusal, code: str) -> None:
    """The message renders in both languages and names the rule."""
    de, en = refusal.msg.render("de", **refusal.values), refusal.msg.render("en", **refusal.values)
    assert refusal.values["cite"] in de
    assert refusal.values["cite"] in en
    assert any(rule.citation == refusal.values["cite"] for rule in STATES[code].rules.values())


@pytest.mark.parametrize(("code", "kind", "record", "remote", "expected"), SESSION_CASES)
def test_session_with_remote_members(code: str, kind: str, record: HybridRecord,
                                     remote: tuple[str, ...], expected: str | None) -> None:
    refusal = session_refusal(profile=PRESETS[code], kind=kind, record=record, meeting_day=DAY,
                              statutory_members=11, remote_ids=set(remote),
                              names={"p2": "Erika Muster"})
    assert (refusal.code if refusal else None) == expected
    if refusal is not None:
        _assert_cites(refusal, code)
        if expected in ("hybrid-consent-missing", "hybrid-request-missing"):
            assert refusal.values["names"] in ("Erika Muster", "p1")


MAYOR = _emergency("mayor")
# § 36a Abs. 1 S. 4 and 5 ThürKO: the mayor finds the emergency; the council decides on its
# continuance at its next session. (record, sessions held since the declaration, expected)
TH_CONFIRMATION: list[tuple[HybridRecord, int, str | None]] = [
    (MAYOR, 0, None),  # the next session itself runs on the declaration and decides
    (MAYOR, 1, "hybrid-emergency-unconfirmed"),
    (replace(MAYOR, emergency_confirmed_on=date(2026, 12, 3)), 1, None),
    (replace(MAYOR, emergency_confirmed_on=date(2026, 12, 3)), 4, None),
    (replace(MAYOR, emergency_confirmed_on=date(2026, 11, 30)), 1,
     "hybrid-emergency-confirmation-early"),
    (NONE, 2, "hybrid-emergency-missing"),
]


@pytest.mark.parametrize(("record", "held", "expected"), TH_CONFIRMATION)
def test_thuringia_needs_the_councils_decision_after_its_next_session(
        record: HybridRecord, held: int, expected: str | None) -> None:
    refusal = session_refusal(profile=PRESETS["TH"], kind="council", record=record,
                              meeting_day=DAY, statutory_members=11, remote_ids={"p1"},
                              held_since_declaration=held)
    assert (refusal.code if refusal else None) == expected
    if refusal is not None:
        _assert_cites(refusal, "TH")
    assert needs_confirmation_now(PRESETS["TH"], "council", record) is (
        record.emergency_declared_on is not None and record.emergency_confirmed_on is None)


@pytest.mark.parametrize("code", sorted(set(PRESETS) - {"TH"}))
def test_only_thuringia_asks_for_the_confirmation(code: str) -> None:
    assert not needs_confirmation_now(PRESETS[code], "council", MAYOR)
    assert session_refusal(profile=PRESETS[code], kind="council", record=MAYOR,
                           meeting_day=DAY, statutory_members=11, remote_ids=set(),
                           held_since_declaration=3) is None


def _kinds(**kinds: str) -> HybridRecord:
    return HybridRecord(item_kinds=kinds)  # type: ignore[arg-type]


CONSTITUENT = HybridRecord(constituent_session=True)
# (state, record, method, election, remote in the session, remote on the roll, expected)
POLL_CASES: list[tuple[str, HybridRecord, str, bool, int, int, str | None]] = [
    # § 64 Abs. 3 NKomVG (issue 15): no secret ballot in any session with a remote member.
    ("NI", NONE, "secret", False, 1, 0, "barred-with-remote-members"),
    ("NI", NONE, "secret", True, 2, 2, "barred-with-remote-members"),
    ("NI", NONE, "secret", False, 0, 0, None),
    ("NI", NONE, "open", False, 3, 3, None),
    # § 35a Abs. 1 S. 5 GemO RP: no bylaws, no constituent session with remote members;
    # elections and secret votes are held without them (left off the roll, polls/law_gate).
    ("RP", _kinds(i1="bylaw"), "open", False, 1, 1, "barred-with-remote-members"),
    ("RP", _kinds(i1="budget_bylaw"), "roll_call", False, 1, 1, "barred-with-remote-members"),
    ("RP", _kinds(i2="bylaw"), "open", False, 1, 1, None),  # another item is the bylaw
    ("RP", NONE, "election", True, 1, 1, None),
    ("RP", NONE, "secret", False, 1, 1, None),
    ("RP", CONSTITUENT, "open", False, 1, 1, "barred-with-remote-members"),
    # § 36a Abs. 3 S. 2 SächsGemO: no elections, no budget bylaw (other bylaws may pass);
    # secret votes on motions are not barred (S. 3).
    ("SN", _kinds(i1="budget_bylaw"), "open", False, 1, 1, "barred-with-remote-members"),
    ("SN", _kinds(i1="bylaw"), "open", False, 1, 1, None),
    ("SN", NONE, "open", True, 1, 1, "barred-with-remote-members"),
    ("SN", NONE, "secret", False, 1, 1, None),
    # § 51a Abs. 4 KSVG: no elections, no secret votes in hybrid sessions.
    ("SL", NONE, "secret", False, 1, 1, "barred-with-remote-members"),
    ("SL", NONE, "roll_call", False, 1, 1, None),
    # § 56a Abs. 2 S. 4 KVG LSA: no elections in a video session.
    ("ST", NONE, "secret", True, 1, 1, "barred-with-remote-members"),
    # § 39 Abs. 2 GO SH: no secret votes on motions at all; § 34a Abs. 3: remote members in
    # elections only with a suitable electronic system.
    ("SH", NONE, "secret", False, 0, 0, "secret-vote-not-provided"),
    ("SH", NONE, "secret", True, 1, 1, "certified-system-required"),
    ("SH", NONE, "secret", True, 0, 0, None),
    ("SH", CONSTITUENT, "open", False, 1, 1, "barred-with-remote-members"),
    # § 4 Abs. 2 DigiSiVO: certified system, else postal ballot after the session.
    ("NRW", NONE, "secret", False, 2, 1, "postal-ballot-required"),
    ("NRW", NONE, "election", True, 1, 1, "postal-ballot-required"),
    ("NRW", NONE, "secret", False, 1, 0, None),  # the only remote member is conflicted
    ("NRW", NONE, "open", False, 5, 5, None),
    # Roll-level bars (remote members left off the roll) are polls/law_gate (BY, BW, BB).
    ("BY", NONE, "secret", True, 1, 1, None), ("BB", NONE, "secret", True, 1, 1, None),
    ("BB", NONE, "secret", False, 0, 0, "secret-vote-not-provided"),  # § 39 Abs. 1 S. 3
    ("MV", NONE, "secret", True, 1, 1, None),
    # § 54 Abs. 2 HGO: no secret votes on motions; secret elections (§ 55 Abs. 3) stay.
    ("HE", NONE, "secret", False, 1, 1, "secret-vote-not-provided"),
    ("HE", NONE, "secret", True, 1, 1, None),
    ("TH", NONE, "secret", True, 1, 1, None), ("BW", NONE, "secret", False, 1, 1, None),
]


@pytest.mark.parametrize(("code", "record", "method", "election", "in_session", "on_roll",
                          "expected"), POLL_CASES)
def test_vote_with_remote_members(code: str, record: HybridRecord, method: str, election: bool,
                                  in_session: int, on_roll: int, expected: str | None) -> None:
    refusal = poll_refusal(profile=PRESETS[code], record=record, item_id="i1", method=method,
                           election=election, remote_in_session=in_session,
                           remote_on_roll=on_roll)
    assert (refusal.code if refusal else None) == expected
    if refusal is not None:
        _assert_cites(refusal, code)


@pytest.mark.parametrize(("code", "overrides", "expected"), [
    ("NRW", {"certified_voting_system": True}, None),
    ("SH", {"certified_voting_system": True}, None),
    ("MV", {"barred_with_remote": ["secret_vote"]}, "barred-with-remote-members"),
])
def test_a_body_adjustment_applies_and_is_named(code: str, overrides: dict[str, Any],
                                                expected: str | None) -> None:
    profile = effective(code, overrides)
    refusal = poll_refusal(profile=profile, record=NONE, item_id="i1", method="secret",
                           election=code == "SH", remote_in_session=1, remote_on_roll=1)
    assert (refusal.code if refusal else None) == expected
    if refusal is not None:
        assert refusal.values["cite"] == f"Anpassung des Gremiums zu Regelprofil {code}"
        assert citation(profile, "barred_with_remote") == refusal.values["cite"]
