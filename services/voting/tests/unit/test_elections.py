"""Election rules: worked examples, exhaustive small counts, properties, and the lot."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from ratsraum_voting.elections import (
    Status,
    after_lot,
    commitment,
    draw,
    first_round,
    lot_order,
    runoff_round,
    verify_lot,
)

counts = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 500), min_size=2, max_size=5
)


def test_absolute_majority_elects_in_round_one() -> None:
    decision = first_round({"anna": 6, "bernd": 3, "cem": 2})
    assert (decision.status, decision.elected) == (Status.ELECTED, "anna")
    assert decision.explanation.startswith("Gewählt: anna mit 6 Stimmen von 11 gültigen")


def test_exactly_half_is_not_enough_and_the_top_two_go_to_the_runoff() -> None:
    decision = first_round({"anna": 5, "bernd": 3, "cem": 2})
    assert decision.status is Status.RUNOFF
    assert decision.runoff == ("anna", "bernd")
    assert "Stichwahl zwischen anna und bernd" in decision.explanation


def test_a_tie_for_second_place_goes_to_the_lot() -> None:
    decision = first_round({"anna": 4, "bernd": 3, "cem": 3})
    assert decision.status is Status.LOT_PENDING
    assert (decision.runoff, decision.lot_among, decision.lot_places) == (
        ("anna",), ("bernd", "cem"), 1
    )
    after = after_lot(decision, ("cem",), runoff=False)
    assert (after.status, after.runoff) == (Status.RUNOFF, ("anna", "cem"))


def test_runoff_most_votes_wins_and_a_tie_is_drawn() -> None:
    assert runoff_round({"anna": 4, "bernd": 3}).elected == "anna"
    tie = runoff_round({"anna": 4, "bernd": 4})
    assert (tie.status, tie.lot_among, tie.lot_places) == (
        Status.LOT_PENDING, ("anna", "bernd"), 1
    )
    assert after_lot(tie, ("bernd",), runoff=True).elected == "bernd"


def test_no_valid_vote_elects_nobody() -> None:
    assert first_round({"anna": 0, "bernd": 0}).status is Status.NONE


def test_exhaustive_small_first_rounds_follow_the_law() -> None:
    for a, b, c in itertools.product(range(7), repeat=3):
        votes = {"a": a, "b": b, "c": c}
        decision = first_round(votes)
        valid = a + b + c
        winners = [k for k, n in votes.items() if 2 * n > valid]
        if valid == 0:
            assert decision.status is Status.NONE
        elif winners:
            assert (decision.status, decision.elected) == (Status.ELECTED, winners[0])
        elif decision.status is Status.RUNOFF:
            assert len(decision.runoff) == 2
            assert min(votes[x] for x in decision.runoff) >= max(
                (votes[x] for x in votes if x not in decision.runoff), default=0
            )
        else:
            assert decision.status is Status.LOT_PENDING
            assert len(decision.runoff) + decision.lot_places == 2
            assert len({votes[x] for x in decision.lot_among}) == 1


@given(counts)
def test_elected_always_has_more_than_half_of_valid_votes(votes: dict[str, int]) -> None:
    decision = first_round(votes)
    if decision.status is Status.ELECTED:
        assert decision.elected is not None
        assert 2 * votes[decision.elected] > sum(votes.values())
    if decision.status is Status.RUNOFF:
        assert len(set(decision.runoff)) == 2


@given(counts)
def test_runoff_winner_has_strictly_most_votes(votes: dict[str, int]) -> None:
    decision = runoff_round(votes)
    if decision.status is Status.ELECTED:
        assert decision.elected is not None
        assert all(votes[decision.elected] > n for k, n in votes.items() if k != decision.elected)
    else:
        assert decision.status is Status.LOT_PENDING
        assert len(decision.lot_among) >= 2


@given(st.binary(min_size=32, max_size=32), st.lists(st.text(min_size=1), min_size=2,
                                                     max_size=6, unique=True))
def test_lot_is_deterministic_and_verifiable(seed: bytes, candidates: list[str]) -> None:
    drawn = draw(seed, candidates, 1)
    assert drawn == draw(seed, list(reversed(candidates)), 1)  # input order does not matter
    assert sorted(lot_order(seed, candidates)) == sorted(candidates)
    assert verify_lot(commitment_hex=commitment(seed), seed_hex=seed.hex(),
                      candidates=candidates, places=1, drawn=drawn)


def test_lot_verification_catches_a_swapped_seed_or_winner() -> None:
    seed, other = bytes(range(32)), bytes(32)
    candidates = ["anna", "bernd", "cem"]
    drawn = draw(seed, candidates, 1)
    loser = next(c for c in candidates if c not in drawn)
    ok = {"commitment_hex": commitment(seed), "candidates": candidates, "places": 1}
    assert verify_lot(seed_hex=seed.hex(), drawn=drawn, **ok)  # type: ignore[arg-type]
    assert not verify_lot(seed_hex=other.hex(), drawn=draw(other, candidates, 1),
                          **ok)  # type: ignore[arg-type]
    assert not verify_lot(seed_hex=seed.hex(), drawn=(loser,), **ok)  # type: ignore[arg-type]
    assert not verify_lot(seed_hex="zz", drawn=drawn, **ok)  # type: ignore[arg-type]
