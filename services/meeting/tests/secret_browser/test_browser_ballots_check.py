"""Ballots made in Chromium pass voting's own check at cast, and tampered ones do not.

The election comes from the Python side (ratsraum-ballot-client's manifest and an
ElectionGuard context); `check_ballot` is the function voting runs on every cast ballot.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.election import make_ciphertext_election_context
from electionguard.elgamal import ElGamalKeyPair, elgamal_keypair_random
from electionguard.group import TWO_MOD_Q, ElementModQ
from ratsraum_ballot_client import Election, build_manifest, encrypt_choice
from ratsraum_ballot_client import ballot as client_ballot

from ratsraum_voting.errors import Reason, VotingError
from ratsraum_voting.secret.casting import check_ballot

# browser_ballots is conftest.BrowserBallots (conftest modules are not imported by name).
BrowserBallots = Any
# ElectionGuard serialises through pydantic 1's encoder, deprecated in pydantic 2.
pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
OPTIONS = [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]


def _election(pair: ElGamalKeyPair) -> Election:
    manifest = build_manifest(poll_id="poll-browser", title="TOP 4: Radweg", options=OPTIONS)
    draft = Election(manifest=manifest, context=None)  # type: ignore[arg-type]
    context = make_ciphertext_election_context(
        1, 1, pair.public_key, TWO_MOD_Q, draft.internal.manifest_hash)
    return Election.from_json(manifest_json=draft.manifest_json(),
                              context_json=Election(manifest, context).context_json())


@pytest.fixture
def small_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")  # ElectionGuard's fast test group


@pytest.fixture
def keys(small_group: None) -> ElGamalKeyPair:
    return elgamal_keypair_random()


@pytest.fixture
def election(keys: ElGamalKeyPair) -> Election:
    return _election(keys)


def _decrypted_votes(ballot: SubmittedBallot, keys: ElGamalKeyPair) -> dict[str, int]:
    return {s.object_id: s.ciphertext.decrypt(keys.secret_key)
            for s in ballot.contests[0].ballot_selections}


@pytest.mark.parametrize("option_id", ["yes", "no", "abstain"])
async def test_voting_accepts_a_browser_ballot_for_every_option(
    browser_ballots: BrowserBallots, election: Election, keys: ElGamalKeyPair, option_id: str,
) -> None:
    made = await browser_ballots.encrypt(election.manifest_json(), election.context_json(),
                                         option_id)
    cast = check_ballot(election=election, ballot_json=made["ballotJson"])
    assert cast.state == BallotBoxState.CAST
    assert cast.code.to_hex() == made["confirmationCode"]
    # What the ballot encrypts is the voter's choice and nothing else (placeholder: 0).
    votes = _decrypted_votes(cast, keys)
    assert votes == {"yes": 0, "no": 0, "abstain": 0, "abstimmung-3-placeholder": 0,
                     option_id: 1}
    # Nothing that could decrypt the ballot is sent, and the time of voting is not on it.
    sent = json.loads(made["ballotJson"])
    assert sent["nonce"] is None
    assert sent["timestamp"] == 0
    assert all(s["nonce"] is None for s in sent["contests"][0]["ballot_selections"])
    assert sent["contests"][0]["nonce"] is None


@pytest.mark.parametrize("option_id", ["yes", "no", "abstain"])
async def test_browser_ballot_equals_the_python_clients_byte_for_byte(
    browser_ballots: BrowserBallots, election: Election, option_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the same ballot id and master nonce, ElectionGuard's nonce derivation makes the
    # whole ballot deterministic: both implementations must then write the same JSON.
    master_nonce = 4711
    monkeypatch.setattr(client_ballot, "rand_q", lambda: ElementModQ(master_nonce))
    python_made = encrypt_choice(election, option_id, ballot_id="stimmzettel-42")
    browser_made = await browser_ballots.encrypt_with(
        election.manifest_json(), election.context_json(), option_id,
        ballot_id="stimmzettel-42", master_nonce=master_nonce)
    assert browser_made == python_made.ballot_json


def _swap_ciphertext(sent: dict[str, Any]) -> None:
    ciphertext = sent["contests"][0]["ballot_selections"][0]["ciphertext"]
    ciphertext["pad"], ciphertext["data"] = ciphertext["data"], ciphertext["pad"]


def _bump(sent: dict[str, Any], *path: str | int) -> None:
    node: Any = sent
    for key in path[:-1]:
        node = node[key]
    value = int(node[path[-1]], 16)
    node[path[-1]] = format(value + 1 if value < 0xFFF0 else value - 1, "04X")


TAMPERINGS: dict[str, Callable[[dict[str, Any]], None]] = {
    "ciphertext halves swapped": _swap_ciphertext,
    "selection proof response changed": lambda sent: _bump(
        sent, "contests", 0, "ballot_selections", 1, "proof", "proof_zero_response"),
    "selection proof challenge changed": lambda sent: _bump(
        sent, "contests", 0, "ballot_selections", 2, "proof", "proof_one_challenge"),
    "contest proof response changed": lambda sent: _bump(
        sent, "contests", 0, "proof", "response"),
    "confirmation code changed": lambda sent: _bump(sent, "code"),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
async def test_a_tampered_browser_ballot_is_refused(
    browser_ballots: BrowserBallots, election: Election, tampering: str,
) -> None:
    made = await browser_ballots.encrypt(election.manifest_json(), election.context_json(), "no")
    sent = json.loads(made["ballotJson"])
    TAMPERINGS[tampering](sent)
    with pytest.raises(VotingError) as refused:
        check_ballot(election=election, ballot_json=json.dumps(sent))
    assert refused.value.reason == Reason.INVALID_CHOICE


async def test_the_worker_makes_the_same_kind_of_ballot(
    browser_ballots: BrowserBallots, election: Election, keys: ElGamalKeyPair,
) -> None:
    made = await browser_ballots.encrypt_in_worker(
        election.manifest_json(), election.context_json(), "abstain")
    cast = check_ballot(election=election, ballot_json=made["ballotJson"])
    assert cast.code.to_hex() == made["confirmationCode"]
    assert _decrypted_votes(cast, keys)["abstain"] == 1


async def test_an_option_not_on_the_ballot_or_a_forged_context_is_refused_in_the_browser(
    browser_ballots: BrowserBallots, election: Election,
) -> None:
    manifest_json, context_json = election.manifest_json(), election.context_json()
    with pytest.raises(Exception, match="not on this ballot"):
        await browser_ballots.encrypt(manifest_json, context_json, "vielleicht")
    forged = json.loads(context_json)
    forged["crypto_extended_base_hash"] = "0123"
    with pytest.raises(Exception, match="extended base hash"):
        await browser_ballots.encrypt(manifest_json, json.dumps(forged), "yes")


async def test_the_small_test_group_is_refused_unless_a_test_allows_it(
    browser_ballots: BrowserBallots, election: Election,
) -> None:
    # Ballots in a 64-bit group can be decrypted by anyone: the app never allows it.
    with pytest.raises(Exception, match="small test group"):
        await browser_ballots.encrypt(election.manifest_json(), election.context_json(), "yes",
                                      allow_test_group=False)


async def test_voting_accepts_a_browser_ballot_in_the_production_group(
    browser_ballots: BrowserBallots, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PRIME_OPTION", raising=False)  # the 4096-bit group
    keys = elgamal_keypair_random()
    election = _election(keys)
    made = await browser_ballots.encrypt(election.manifest_json(), election.context_json(), "yes",
                                         allow_test_group=False)
    cast = check_ballot(election=election, ballot_json=made["ballotJson"])
    assert cast.code.to_hex() == made["confirmationCode"]
    assert len(cast.contests[0].ballot_selections[0].ciphertext.pad.to_hex()) == 1024
