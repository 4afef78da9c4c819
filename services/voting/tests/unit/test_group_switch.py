"""A verifier that checks records of both ElectionGuard groups in one process finds each tally."""

from __future__ import annotations

import pytest
from electionguard.discrete_log import DiscreteLog
from electionguard.group import g_pow_p, int_to_q

from ratsraum_voting.secret.verify import use_group


def test_tallies_of_the_other_group_are_found_after_a_switch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small search limit turns "never finishes" into a quick failure.
    monkeypatch.setattr(DiscreteLog, "_max_exponent", 1_000)
    monkeypatch.setattr(DiscreteLog, "_cache", dict(DiscreteLog._cache))
    monkeypatch.delenv("PRIME_OPTION", raising=False)
    try:
        use_group("TestOnly")
        assert DiscreteLog().discrete_log(g_pow_p(int_to_q(7))) == 7
        use_group(None)  # the standard group, as in a real record checked next
        assert DiscreteLog().discrete_log(g_pow_p(int_to_q(3))) == 3
        use_group("TestOnly")
        assert DiscreteLog().discrete_log(g_pow_p(int_to_q(5))) == 5
    finally:
        use_group(None)
