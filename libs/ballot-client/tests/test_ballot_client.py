"""The voter-side client: a ballot for an offered option, with proofs and without nonces."""

from __future__ import annotations

import json

import pytest
from electionguard.ballot import SubmittedBallot
from electionguard.election import make_ciphertext_election_context
from electionguard.elgamal import elgamal_keypair_random
from electionguard.group import TWO_MOD_Q
from electionguard.serialize import from_raw
from ratsraum_ballot_client import Election, build_manifest, encrypt_choice

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
