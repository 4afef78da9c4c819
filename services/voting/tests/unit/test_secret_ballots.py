"""Secret ballots end to end with ElectionGuard's test-size group: ceremony, cast, tally, verify."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.ballot_box import submit_ballot
from electionguard.group import ElementModQ, g_pow_p, hex_to_p, mult_p
from electionguard.serialize import from_raw, to_file
from electionguard.utils import get_optional
from ratsraum_ballot_client import Election, build_manifest, encrypt_choice, find_confirmation_code
from ratsraum_ballot_client import ballot as ballot_module
from ratsraum_ballot_client.election import CONTEST_ID

from ratsraum_voting.guardian.closing import ClosingStatement, statement_text
from ratsraum_voting.guardian.store import GuardianRefusal, GuardianStore
from ratsraum_voting.secret import casting
from ratsraum_voting.secret.ceremony import (
    DEFAULT_GUARDIANS,
    CeremonyFailed,
    decrypt,
    run_key_ceremony,
)
from ratsraum_voting.secret.record import write_record
from ratsraum_voting.secret.result import counts_from_tally, poll_result
from ratsraum_voting.secret.verify import main as verify_main

# ElectionGuard serialises through pydantic 1's encoder, deprecated in pydantic 2.
pytestmark = pytest.mark.filterwarnings("ignore:.*pydantic_encoder.*")
OPTIONS = [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]
CHOICES = ["yes", "yes", "no", "yes", "abstain"]


@pytest.fixture(autouse=True)
def _test_group(monkeypatch: pytest.MonkeyPatch) -> None:
    # ElectionGuard's own small test group keeps these tests fast; the real group runs in
    # test_secret_bench (a separate process, since ElectionGuard caches per group).
    monkeypatch.setenv("PRIME_OPTION", "TestOnly")


def _guardians(tmp_path: Path) -> list[GuardianStore]:
    return [GuardianStore(folder=tmp_path / "guardians" / gid, guardian_id=gid,
                          sequence_order=i + 1) for i, gid in enumerate(DEFAULT_GUARDIANS)]


def _cast(election: Election, choices: list[str]) -> tuple[list[SubmittedBallot], list[str]]:
    ballots, codes = [], []
    for choice in choices:
        sent = encrypt_choice(election, choice)
        ballot = from_raw(SubmittedBallot, sent.ballot_json)
        assert ballot.is_valid_encryption(
            election.internal.manifest_hash, election.context.elgamal_public_key,
            election.context.crypto_extended_base_hash)
        ballots.append(submit_ballot(ballot, BallotBoxState.CAST))
        codes.append(sent.confirmation_code)
    return ballots, codes


def _publish(tmp_path: Path, *, available: int = 2) -> tuple[Path, list[str], str]:
    guardians = _guardians(tmp_path)
    manifest = build_manifest(poll_id="p-1", title="TOP 7", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-1", manifest=manifest,
                                guardians=guardians, quorum=2)
    # The election travels to the voter's device as JSON, as over the wire.
    device = Election.from_json(manifest_json=ceremony.election.manifest_json(),
                                context_json=ceremony.election.context_json())
    ballots, codes = _cast(device, CHOICES)
    keys = [g.announce(ceremony_id="soest.p-1", guardians=3, quorum=2) for g in guardians]
    decrypted = decrypt(ceremony_id="soest.p-1", election=ceremony.election, ballots=ballots,
                        available=guardians[:available], keys=keys)
    counts = counts_from_tally(decrypted.plaintext)
    poll = poll_result(poll_id="p-1", title="TOP 7", options=OPTIONS, rule="simple",
                       statutory_members=11, roll_size=7, counts=counts)
    published = write_record(
        directory=tmp_path / "record", election=ceremony.election,
        guardians=ceremony.guardian_records, ballots=ballots, decrypted=decrypted,
        voters=["anna", "bernd", "cem", "dora", "emil"], poll=poll)
    return published.directory, codes, published.sha256


def test_two_of_three_guardians_decrypt_the_counts_and_the_record_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record, _codes, digest = _publish(tmp_path, available=2)
    poll = json.loads((record / "ratsraum_poll.json").read_text())
    assert {c["option_id"]: c["count"] for c in poll["counts"]} == {
        "yes": 3, "no": 1, "abstain": 1}
    assert poll["accepted"] is True
    assert verify_main([str(record)]) == 0
    out = capsys.readouterr().out
    assert digest in out
    assert "5 mit gültigen Beweisen" in out


def test_all_three_guardians_also_decrypt(tmp_path: Path) -> None:
    record, _codes, _digest = _publish(tmp_path, available=3)
    assert verify_main([str(record)]) == 0


def test_voter_finds_own_confirmation_code_in_record(tmp_path: Path) -> None:
    record, codes, _digest = _publish(tmp_path)
    assert all(find_confirmation_code(record, code) for code in codes)
    assert not find_confirmation_code(record, "00" * 32)


def test_no_private_key_material_in_record_and_voter_list_has_no_choices(tmp_path: Path) -> None:
    record, _codes, _digest = _publish(tmp_path)
    text = "".join(p.read_text() for p in record.rglob("*.json"))
    assert "secret_key" not in text
    assert "nonce\": \"" not in text
    assert json.loads((record / "voters.json").read_text()) == [
        "anna", "bernd", "cem", "dora", "emil"]


def _rewrite_sums(record: Path) -> None:
    from ratsraum_voting.secret.record import SUMS_FILE, record_digest

    (record / SUMS_FILE).write_text(record_digest(record)[0])


def test_tampered_file_fails_the_checksum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record, _codes, _digest = _publish(tmp_path)
    poll = record / "ratsraum_poll.json"
    poll.write_text(poll.read_text().replace('"accepted": true', '"accepted": false'))
    assert verify_main([str(record)]) == 1
    assert "SHA256SUMS" in capsys.readouterr().err


def test_swapped_encrypted_ballot_fails_even_with_fresh_checksums(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record, _codes, _digest = _publish(tmp_path)
    files = sorted((record / "submitted_ballots").glob("*.json"))
    first, *others = (from_raw(SubmittedBallot, f.read_text()) for f in files)
    mine = first.contests[0].ballot_selections[0].ciphertext
    # Another ballot's ciphertext, not an equal one (two equal nonces in the test group).
    first.contests[0].ballot_selections[0].ciphertext = next(
        theirs for other in others
        if (theirs := other.contests[0].ballot_selections[0].ciphertext) != mine)
    files[0].unlink()
    to_file(first, files[0].stem, str(files[0].parent))
    _rewrite_sums(record)
    assert verify_main([str(record)]) == 1
    assert "Beweis ungültig" in capsys.readouterr().err


def test_tampered_decryption_share_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record, _codes, _digest = _publish(tmp_path)
    tally = json.loads((record / "tally.json").read_text())
    selection = tally["contests"]["abstimmung"]["selections"]["yes"]
    share = selection["shares"][0]
    # Off by a factor g: always another value (a copy of another guardian's share is the
    # same value when, once in 65,521 ceremonies of the test group, their keys coincide).
    share["share"] = mult_p(get_optional(hex_to_p(share["share"])), g_pow_p(1)).to_hex()
    (record / "tally.json").write_text(json.dumps(tally))
    _rewrite_sums(record)
    assert verify_main([str(record)]) == 1
    assert "Entschlüsselung oder Beweis ungültig" in capsys.readouterr().err


def test_guardian_refuses_to_decrypt_a_subset_after_the_tally(tmp_path: Path) -> None:
    guardians = _guardians(tmp_path)
    manifest = build_manifest(poll_id="p-2", title="TOP 8", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-2", manifest=manifest,
                                guardians=guardians, quorum=2)
    ballots, _codes = _cast(ceremony.election, ["yes", "no", "yes", "abstain"])
    guardians[0].decrypt_tally(ceremony_id="soest.p-2", election=ceremony.election,
                               ballots=ballots, missing=[])
    with pytest.raises(GuardianRefusal, match="bereits"):
        guardians[0].decrypt_tally(ceremony_id="soest.p-2", election=ceremony.election,
                                   ballots=ballots[:3], missing=[])
    # The private share lives only in the guardian's own folder.
    assert list((tmp_path / "guardians" / DEFAULT_GUARDIANS[0]).glob("*.json"))
    shutil.rmtree(tmp_path / "guardians")


def test_guardian_refuses_fewer_ballots_than_its_minimum(tmp_path: Path) -> None:
    guardians = _guardians(tmp_path)
    manifest = build_manifest(poll_id="p-4", title="TOP 4", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-4", manifest=manifest,
                                guardians=guardians, quorum=2)
    ballots, _codes = _cast(ceremony.election, ["yes", "no"])
    with pytest.raises(GuardianRefusal, match="zu wenige Stimmzettel"):
        guardians[0].decrypt_tally(ceremony_id="soest.p-4", election=ceremony.election,
                                   ballots=ballots, missing=[])
    # A ballot twice does not make up the number.
    with pytest.raises(GuardianRefusal, match="mehrfach"):
        guardians[0].decrypt_tally(ceremony_id="soest.p-4", election=ceremony.election,
                                   ballots=[*ballots, ballots[0]], missing=[])


def test_guardian_refuses_a_ballot_that_was_not_cast(tmp_path: Path) -> None:
    guardians = _guardians(tmp_path)
    manifest = build_manifest(poll_id="p-5", title="TOP 5", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-5", manifest=manifest,
                                guardians=guardians, quorum=2)
    ballots, _codes = _cast(ceremony.election, ["yes", "no", "yes"])
    spoiled = submit_ballot(ballots[0], BallotBoxState.SPOILED)
    with pytest.raises(GuardianRefusal, match="nur abgegebene"):
        guardians[0].decrypt_tally(ceremony_id="soest.p-5", election=ceremony.election,
                                   ballots=[spoiled, *ballots[1:]], missing=[])


def test_pinned_guardian_decrypts_only_what_voting_signed_as_closed(tmp_path: Path) -> None:
    voting_key = Ed25519PrivateKey.generate()
    pinned = voting_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    guardians = [GuardianStore(folder=tmp_path / gid, guardian_id=gid, sequence_order=i + 1,
                               voting_public_key=pinned)
                 for i, gid in enumerate(DEFAULT_GUARDIANS)]
    manifest = build_manifest(poll_id="p-6", title="TOP 6", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-6", manifest=manifest,
                                guardians=guardians, quorum=2)
    ballots, _codes = _cast(ceremony.election, ["yes", "no", "yes", "no"])

    def signed(key: Ed25519PrivateKey, named: list[SubmittedBallot]) -> ClosingStatement:
        text = statement_text(ceremony_id="soest.p-6", ballots=named)
        return ClosingStatement(text=text, signature=key.sign(text.encode()).hex())

    def ask(closing: ClosingStatement | None, handed: list[SubmittedBallot]) -> object:
        return guardians[0].decrypt_tally(ceremony_id="soest.p-6", election=ceremony.election,
                                          ballots=handed, missing=[], closing=closing)

    with pytest.raises(GuardianRefusal, match="keine Erklärung"):
        ask(None, ballots)
    with pytest.raises(GuardianRefusal, match="nicht vom Abstimmungsdienst"):
        ask(signed(Ed25519PrivateKey.generate(), ballots), ballots)
    with pytest.raises(GuardianRefusal, match="andere Stimmzettel"):
        ask(signed(voting_key, ballots), ballots[:3])  # the operator's own subset
    keys = [g.announce(ceremony_id="soest.p-6", guardians=3, quorum=2) for g in guardians]
    decrypted = decrypt(ceremony_id="soest.p-6", election=ceremony.election, keys=keys,
                        ballots=ballots, available=guardians[:2],
                        closing=signed(voting_key, ballots))
    assert counts_from_tally(decrypted.plaintext) == {"yes": 2, "no": 2, "abstain": 0}


def test_guardians_add_up_themselves_and_voting_checks_their_proofs(tmp_path: Path) -> None:
    guardians = _guardians(tmp_path)
    manifest = build_manifest(poll_id="p-3", title="TOP 3", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-3", manifest=manifest,
                                guardians=guardians, quorum=2)
    ballots, _codes = _cast(ceremony.election, ["yes", "no", "yes"])
    keys = [g.announce(ceremony_id="soest.p-3", guardians=3, quorum=2) for g in guardians]

    class Forging:
        """A guardian whose share of "yes" is off by a factor g (its proof no longer holds)."""

        guardian_id = guardians[0].guardian_id

        def decrypt_tally(self, **kwargs: Any) -> Any:
            answer = guardians[0].decrypt_tally(**kwargs)
            contest = answer.share.contests[CONTEST_ID]
            selection = contest.selections["yes"]
            contest.selections["yes"] = replace(
                selection, share=mult_p(selection.share, g_pow_p(1)))
            return answer

    with pytest.raises(CeremonyFailed):
        decrypt(ceremony_id="soest.p-3", election=ceremony.election, keys=keys,
                ballots=ballots, available=[Forging(), guardians[1]])  # type: ignore[list-item]
    decrypted = decrypt(ceremony_id="soest.p-3", election=ceremony.election, keys=keys,
                        ballots=ballots, proofs_checked=True, available=guardians[:2])
    assert counts_from_tally(decrypted.plaintext) == {"yes": 2, "no": 1, "abstain": 0}


def test_a_ballot_whose_first_nonce_electionguard_refuses_is_still_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In the test group, master nonce 1352 derives a zero nonce for this manifest and ballot
    # id; the device draws again instead of failing the voter (once in ~16,000 ballots).
    manifest = build_manifest(poll_id="p-1", title="TOP 7", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-1", manifest=manifest,
                                guardians=_guardians(tmp_path), quorum=2)
    draws = iter([ElementModQ(1352), ElementModQ(1353)])
    monkeypatch.setattr(ballot_module, "rand_q", lambda: next(draws))

    sent = encrypt_choice(ceremony.election, "no", ballot_id="ballot-zero-nonce")

    cast = casting.check_ballot(election=ceremony.election, ballot_json=sent.ballot_json)
    assert cast.state == BallotBoxState.CAST
    assert cast.code.to_hex() == sent.confirmation_code
    assert next(draws, None) is None  # the refused draw was replaced by the next one


def test_guardians_skipping_proof_checks_still_decrypt_only_their_own_sum(
    tmp_path: Path,
) -> None:
    guardians = [GuardianStore(folder=tmp_path / gid, guardian_id=gid, sequence_order=i + 1,
                               check_proofs=False)
                 for i, gid in enumerate(DEFAULT_GUARDIANS)]
    manifest = build_manifest(poll_id="p-7", title="TOP 7", options=OPTIONS)
    ceremony = run_key_ceremony(ceremony_id="soest.p-7", manifest=manifest,
                                guardians=guardians, quorum=2)
    ballots, _codes = _cast(ceremony.election, ["no", "no", "abstain"])
    keys = [g.announce(ceremony_id="soest.p-7", guardians=3, quorum=2) for g in guardians]
    decrypted = decrypt(ceremony_id="soest.p-7", election=ceremony.election, keys=keys,
                        ballots=ballots, proofs_checked=True, available=guardians[1:])
    assert counts_from_tally(decrypted.plaintext) == {"yes": 0, "no": 2, "abstain": 1}
    with pytest.raises(GuardianRefusal, match="zu wenige"):
        guardians[0].decrypt_tally(ceremony_id="soest.p-7", election=ceremony.election,
                                   ballots=ballots[:1], missing=[])
