"""The NRW quorum rule: more than half of the statutory members present."""

from __future__ import annotations

import pytest

from ratsraum_meeting.profiles.quorum import UnknownRuleProfile, evaluate


@pytest.mark.parametrize(
    ("present", "statutory", "quorate", "required"),
    [
        (0, 11, False, 6),
        (5, 11, False, 6),
        (6, 11, True, 6),
        (11, 11, True, 6),
        (5, 10, False, 6),  # exactly half is not more than half
        (6, 10, True, 6),
        (46, 93, False, 47),
        (47, 93, True, 47),
        (1, 1, True, 1),
    ],
)
def test_nrw_needs_more_than_half(present: int, statutory: int, quorate: bool,
                                  required: int) -> None:
    result = evaluate(rule="NRW", present=present, statutory_members=statutory)
    assert (result.quorate, result.required, result.present) == (quorate, required, present)
    assert result.statutory_members == statutory
    assert f"{present} von {statutory}" in result.explanation
    assert ("nicht beschlussfähig" in result.explanation) is not quorate


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(UnknownRuleProfile):
        evaluate(rule="XX", present=3, statutory_members=5)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        evaluate(rule="NRW", present=-1, statutory_members=5)
