"""Majority rules: worked examples from the law, exhaustive small tallies, and properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ratsraum_voting.rules import (
    Rule,
    Tally,
    decide,
    majority_of_statutory,
    simple_majority,
    two_thirds_of_cast,
    two_thirds_of_statutory,
)

counts = st.integers(min_value=0, max_value=2_500)
tallies = st.builds(Tally, yes=counts, no=counts, abstain=counts)
statutory = st.integers(min_value=1, max_value=2_500)


def test_simple_majority_example_sentence() -> None:
    decision = simple_majority(Tally(yes=6, no=3, abstain=2))
    assert decision.accepted
    assert decision.explanation == (
        "Angenommen: 6 Ja-Stimmen gegen 3 Nein-Stimmen bei 2 Enthaltungen "
        "(einfache Mehrheit; Enthaltungen zählen nicht)."
    )


def test_tie_rejects_with_reason() -> None:
    decision = simple_majority(Tally(yes=5, no=5, abstain=1))
    assert not decision.accepted
    assert decision.explanation == (
        "Abgelehnt: Stimmengleichheit (5:5) – bei Stimmengleichheit ist ein Antrag abgelehnt."
    )


def test_singular_forms_and_no_abstentions() -> None:
    decision = simple_majority(Tally(yes=1, no=0, abstain=1))
    assert "1 Ja-Stimme gegen 0 Nein-Stimmen bei 1 Enthaltung " in decision.explanation
    assert "ohne Enthaltungen" in simple_majority(Tally(yes=2, no=1)).explanation


def test_only_abstentions_rejects() -> None:
    decision = simple_majority(Tally(yes=0, no=0, abstain=7))
    assert not decision.accepted
    assert decision.explanation.startswith("Abgelehnt: keine Ja- oder Nein-Stimme")


@pytest.mark.parametrize(
    ("yes", "no", "accepted"),
    [(8, 4, True), (7, 4, False), (2, 1, True), (1, 1, False), (0, 0, False), (1, 0, True)],
)
def test_two_thirds_of_cast_threshold(yes: int, no: int, accepted: bool) -> None:
    decision = two_thirds_of_cast(Tally(yes=yes, no=no, abstain=3))
    assert decision.accepted is accepted
    assert "Zweidrittelmehrheit der abgegebenen Stimmen" in decision.explanation


@pytest.mark.parametrize(
    ("yes", "members", "accepted"),
    [(11, 20, True), (10, 20, False), (6, 11, True), (5, 11, False), (1, 1, True)],
)
def test_majority_of_statutory_threshold(yes: int, members: int, accepted: bool) -> None:
    decision = majority_of_statutory(Tally(yes=yes, no=0), statutory_members=members)
    assert decision.accepted is accepted
    assert f"bei {members} Mitgliedern" in decision.explanation


@pytest.mark.parametrize(
    ("yes", "members", "accepted"),
    [(14, 21, True), (13, 21, False), (8, 11, True), (7, 11, False), (2, 3, True)],
)
def test_two_thirds_of_statutory_threshold(yes: int, members: int, accepted: bool) -> None:
    decision = two_thirds_of_statutory(Tally(yes=yes, no=0), statutory_members=members)
    assert decision.accepted is accepted
    assert "Zweidrittelmehrheit der gesetzlichen Mitgliederzahl" in decision.explanation


def test_statutory_rules_need_the_number_of_members() -> None:
    with pytest.raises(ValueError, match="statutory"):
        decide(Rule.MAJORITY_OF_STATUTORY, Tally(yes=3, no=1))
    with pytest.raises(ValueError, match="positive"):
        two_thirds_of_statutory(Tally(yes=3, no=1), statutory_members=0)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Tally(yes=-1, no=0)


def test_exhaustive_small_tallies_match_the_definitions() -> None:
    """Every tally of a body of up to 15 against the textbook definition of each rule."""
    for members in range(1, 16):
        for yes in range(members + 1):
            for no in range(members + 1 - yes):
                tally = Tally(yes=yes, no=no, abstain=members - yes - no)
                cast = yes + no
                expected = {
                    Rule.SIMPLE: yes > no,
                    Rule.TWO_THIRDS_OF_CAST: cast > 0 and Fraction(yes) >= Fraction(2, 3) * cast,
                    Rule.MAJORITY_OF_STATUTORY: Fraction(yes) > Fraction(members, 2),
                    Rule.TWO_THIRDS_OF_STATUTORY: Fraction(yes) >= Fraction(2, 3) * members,
                }
                for rule, accepted in expected.items():
                    decision = decide(rule, tally, statutory_members=members)
                    assert decision.accepted is accepted, (rule, tally, members)


@given(tallies)
def test_explanation_states_the_outcome(tally: Tally) -> None:
    for rule in (Rule.SIMPLE, Rule.TWO_THIRDS_OF_CAST):
        decision = decide(rule, tally)
        verdict = "Angenommen: " if decision.accepted else "Abgelehnt: "
        assert decision.explanation.startswith(verdict)
        assert decision.explanation.endswith(".")


@given(tallies)
def test_simple_majority_is_yes_over_no(tally: Tally) -> None:
    assert simple_majority(tally).accepted is (tally.yes > tally.no)


@given(tallies, counts)
def test_abstentions_never_change_the_outcome(tally: Tally, extra: int) -> None:
    more = Tally(yes=tally.yes, no=tally.no, abstain=tally.abstain + extra)
    for rule in (Rule.SIMPLE, Rule.TWO_THIRDS_OF_CAST):
        assert decide(rule, more).accepted is decide(rule, tally).accepted


@given(tallies)
def test_a_tie_always_rejects(tally: Tally) -> None:
    tie = Tally(yes=tally.yes, no=tally.yes, abstain=tally.abstain)
    assert not simple_majority(tie).accepted
    assert not two_thirds_of_cast(tie).accepted


@given(tallies, statutory)
def test_one_more_yes_never_turns_acceptance_into_rejection(tally: Tally, members: int) -> None:
    more = Tally(yes=tally.yes + 1, no=tally.no, abstain=tally.abstain)
    for rule in (r for r in Rule if r is not Rule.ELECTION):  # elections: test_elections.py
        if decide(rule, tally, statutory_members=members).accepted:
            assert decide(rule, more, statutory_members=members).accepted


@given(tallies)
def test_two_thirds_of_cast_implies_simple_majority(tally: Tally) -> None:
    if two_thirds_of_cast(tally).accepted:
        assert simple_majority(tally).accepted


@given(tallies)
def test_two_thirds_of_cast_matches_exact_fraction(tally: Tally) -> None:
    cast = tally.yes + tally.no
    expected = cast > 0 and Fraction(tally.yes, cast) >= Fraction(2, 3)
    decision = two_thirds_of_cast(tally)
    assert decision.accepted is expected
    if cast:
        assert decision.required_yes is not None
        assert (tally.yes >= decision.required_yes) is expected


@given(tallies, statutory)
def test_statutory_rules_depend_only_on_yes(tally: Tally, members: int) -> None:
    only_yes = Tally(yes=tally.yes, no=0)
    for rule in (Rule.MAJORITY_OF_STATUTORY, Rule.TWO_THIRDS_OF_STATUTORY):
        assert (
            decide(rule, tally, statutory_members=members).accepted
            is decide(rule, only_yes, statutory_members=members).accepted
        )
    assert majority_of_statutory(tally, statutory_members=members).accepted is (
        2 * tally.yes > members
    )
    assert two_thirds_of_statutory(tally, statutory_members=members).accepted is (
        3 * tally.yes >= 2 * members
    )


@given(tallies, statutory)
def test_statutory_acceptance_within_the_body_means_more_yes_than_no(
    tally: Tally, members: int
) -> None:
    # When everyone who voted belongs to the body, a statutory majority also beats the noes.
    if tally.yes + tally.no <= members and majority_of_statutory(
        tally, statutory_members=members
    ).accepted:
        assert tally.yes > tally.no
