"""The voter-side client: a ballot for an offered option, with proofs and without nonces."""

from __future__ import annotations

import json

import pytest
from electionguard.ballot import (
    CiphertextBallot,
    PlaintextBallot,
    PlaintextBallotContest,
    PlaintextBallotSelection,
    SubmittedBallot,
)
from electionguard.election import make_ciphertext_election_context
from electionguard.elgamal import elgamal_keypair_random
from electionguard.encrypt import encrypt_ballot_contests
from electionguard.group import TWO_MOD_Q, ElementModQ
from electionguard.serialize import from_raw
from ratsraum_ballot_client import Election, build_manifest, encrypt_choice
from ratsraum_ballot_client import ballot as ballot_module
from ratsraum_ballot_client.election import CONTEST_ID, STYLE_ID

# ElectionGuard serialises through pydantic 1's encoder, deprecated in pydantic 2.
pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
OPTIONS = [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]


@pytest.fixture
def election(monkeypatch: pytest.MonkeyPatch) -> Election:
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")  # ElectionGuard's fast test group
    manifest = build_manifest(poll_id="p", title="TOP 1", options=OPTIONS)
    pair = elgamal_keypair_random()
    draft = Election(manifest=manifest, context=None)  # type: ignore[arg-type]
    context = make_ciphertext_election_context(
        1, 1, pair.public_key, TWO_MOD_Q, draft.internal.manifest_hash)
    return Election.from_json(manifest_json=draft.manifest_json(),
                              context_json=Election(manifest, context).context_json())


def test_encrypted_ballot_carries_valid_proofs_and_no_nonces(election: Election) -> None:
    sent = encrypt_choice(election, "no")
    ballot = from_raw(SubmittedBallot, sent.ballot_json)
    assert ballot.is_valid_encryption(
        election.internal.manifest_hash, election.context.elgamal_public_key,
        election.context.crypto_extended_base_hash)
    assert sent.confirmation_code == ballot.code.to_hex()
    assert '"nonce": "' not in sent.ballot_json  # the nonces would decrypt the ballot
    # Every ballot carries the same timestamp, so the time of voting is not on it.
    assert json.loads(sent.ballot_json)["timestamp"] == 0


def test_each_ballot_gets_its_own_code(election: Election) -> None:
    codes = {encrypt_choice(election, "yes").confirmation_code for _ in range(3)}
    assert len(codes) == 3


def test_option_not_on_the_ballot_is_refused(election: Election) -> None:
    with pytest.raises(ValueError, match="not on this ballot"):
        encrypt_choice(election, "vielleicht")


def test_manifest_needs_two_distinct_options() -> None:
    with pytest.raises(ValueError, match="two distinct options"):
        build_manifest(poll_id="p", title="t", options=[("yes", "Ja"), ("yes", "Ja")])


# For this manifest (poll "p", TOP 1) and ballot id, ElectionGuard's test group derives a zero
# nonce for a placeholder selection from master nonce 500: it refuses to encrypt with it.
ZERO_NONCE_BALLOT_ID = "ballot-zero-nonce"
ZERO_NONCE_MASTER = 500


def test_a_master_nonce_electionguard_refuses_is_drawn_again(
    election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = CiphertextBallot.nonce_seed(election.internal.manifest_hash, ZERO_NONCE_BALLOT_ID,
                                       ElementModQ(ZERO_NONCE_MASTER))
    plaintext = PlaintextBallot(ZERO_NONCE_BALLOT_ID, STYLE_ID, [PlaintextBallotContest(
        CONTEST_ID, [PlaintextBallotSelection("yes", 1)])])
    assert encrypt_ballot_contests(plaintext, election.internal, election.context, seed) is None
    draws = iter([ElementModQ(ZERO_NONCE_MASTER), ElementModQ(501)])
    monkeypatch.setattr(ballot_module, "rand_q", lambda: next(draws))

    sent = encrypt_choice(election, "yes", ballot_id=ZERO_NONCE_BALLOT_ID)

    ballot = from_raw(SubmittedBallot, sent.ballot_json)
    assert ballot.object_id == ZERO_NONCE_BALLOT_ID
    assert ballot.is_valid_encryption(
        election.internal.manifest_hash, election.context.elgamal_public_key,
        election.context.crypto_extended_base_hash)
    assert next(draws, None) is None  # the second draw was used


def test_encryption_gives_up_after_a_bounded_number_of_draws(
    election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws: list[int] = []

    def refused() -> ElementModQ:
        draws.append(1)
        return ElementModQ(ZERO_NONCE_MASTER)

    monkeypatch.setattr(ballot_module, "rand_q", refused)
    with pytest.raises(ValueError, match="could not be encrypted"):
        encrypt_choice(election, "yes", ballot_id=ZERO_NONCE_BALLOT_ID)
    assert len(draws) == ballot_module.MASTER_NONCE_DRAWS
