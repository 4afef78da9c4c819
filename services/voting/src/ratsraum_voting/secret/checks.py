"""The individual checks of a secret-ballot record (used by ratsraum_voting.secret.verify)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from electionguard.ballot import SubmittedBallot
from electionguard.decrypt_with_shares import decrypt_selection_with_decryption_shares
from electionguard.decryption import compute_recovery_public_key
from electionguard.election import CiphertextElectionContext, make_ciphertext_election_context
from electionguard.election_polynomial import LagrangeCoefficientsRecord
from electionguard.group import mult_p, pow_p
from electionguard.guardian import GuardianRecord
from electionguard.key_ceremony import ElectionPublicKey, combine_election_public_keys
from electionguard.manifest import InternalManifest, Manifest
from electionguard.serialize import from_file
from electionguard.tally import PlaintextTally, PublishedCiphertextTally, tally_ballots
from ratsraum_ballot_client import Election

from ratsraum_voting.guardian.store import ballot_store
from ratsraum_voting.secret import record as layout
from ratsraum_voting.secret.casting import check_ballot_code
from ratsraum_voting.secret.result import counts_from_tally, poll_result

Report = Callable[[str], None]


class RecordInvalid(Exception):
    """The record does not hold up; the message says which check failed."""


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise RecordInvalid(message)


def check_sums(directory: Path, report: Report) -> str:
    """Every file is listed in SHA256SUMS with its hash, and nothing else is there."""
    sums, digest = layout.record_digest(directory)
    stored = (directory / layout.SUMS_FILE).read_text(encoding="utf-8")
    _require(sums == stored, "SHA256SUMS passt nicht zu den Dateien des Protokolls")
    report(f"Prüfsummen: {len(sums.splitlines())} Dateien unverändert")
    return digest


def check_guardians(directory: Path, election: Election, report: Report) -> list[ElectionPublicKey]:
    """Guardian proofs hold and the context follows from the guardians' keys."""
    records = sorted(
        (from_file(GuardianRecord, p) for p in (directory / layout.GUARDIANS_DIR).glob("*.json")),
        key=lambda rec: rec.sequence_order,  # the commitment hash is taken in this order
    )
    keys = []
    for rec in records:
        _require(all(proof.is_valid() for proof in rec.election_proofs),
                 f"Guardian {rec.guardian_id}: Schnorr-Beweis ungültig")
        keys.append(ElectionPublicKey(rec.guardian_id, rec.sequence_order,
                                      rec.election_public_key, rec.election_commitments,
                                      rec.election_proofs))
    context = election.context
    _require(len(keys) == context.number_of_guardians, "Anzahl der Guardians stimmt nicht")
    joint = combine_election_public_keys(keys)
    expected = make_ciphertext_election_context(
        context.number_of_guardians, context.quorum, joint.joint_public_key,
        joint.commitment_hash, election.internal.manifest_hash,
    )
    _require(expected == context, "context.json folgt nicht aus Manifest und Guardian-Schlüsseln")
    report(f"Schlüssel: {len(keys)} Guardians, Quorum {context.quorum}, gemeinsamer Schlüssel "
           "und Basis-Hash nachgerechnet")
    return keys


def check_ballots(directory: Path, election: Election, report: Report) -> list[SubmittedBallot]:
    """Every ballot's proofs and confirmation code hold."""
    ballots = [from_file(SubmittedBallot, p)
               for p in sorted((directory / layout.BALLOTS_DIR).glob("*.json"))]
    ids = set()
    for ballot in ballots:
        _require(ballot.object_id not in ids, f"Stimmzettel {ballot.object_id} doppelt")
        ids.add(ballot.object_id)
        _require(ballot.is_valid_encryption(
            election.internal.manifest_hash, election.context.elgamal_public_key,
            election.context.crypto_extended_base_hash,
        ), f"Stimmzettel {ballot.code.to_hex()[:16]}: Beweis ungültig")
        _require(check_ballot_code(ballot),
                 f"Stimmzettel {ballot.code.to_hex()[:16]}: Bestätigungscode passt nicht")
    report(f"Stimmzettel: {len(ballots)} mit gültigen Beweisen und Bestätigungscodes")
    return ballots


def check_tally(
    directory: Path, election: Election, ballots: list[SubmittedBallot],
    keys: list[ElectionPublicKey], report: Report,
) -> PlaintextTally:
    """The encrypted tally is the product of the ballots; each share's proof holds."""
    recomputed = tally_ballots(ballot_store(ballots), election.internal, election.context)
    _require(recomputed is not None, "Stimmzettel lassen sich nicht zusammenzählen")
    assert recomputed is not None
    published = from_file(PublishedCiphertextTally, directory / "encrypted_tally.json")
    _require(recomputed.publish().contests == published.contests,
             "encrypted_tally.json ist nicht das Produkt der Stimmzettel")
    plaintext = from_file(PlaintextTally, directory / "tally.json")
    coefficients = from_file(LagrangeCoefficientsRecord, directory / "coefficients.json")
    by_id = {k.owner_id: k for k in keys}
    for contest_id, contest in published.contests.items():
        for selection_id, selection in contest.selections.items():
            decrypted = plaintext.contests[contest_id].selections[selection_id]
            shares = {s.guardian_id: (by_id[s.guardian_id].key, s) for s in decrypted.shares}
            _require(set(shares) == set(by_id), f"{selection_id}: Teilentschlüsselungen fehlen")
            for share in decrypted.shares:
                _check_recovered(share, by_id, coefficients, selection_id)
            redone = decrypt_selection_with_decryption_shares(
                selection, shares, election.context.crypto_extended_base_hash
            )
            _require(redone is not None and redone.tally == decrypted.tally
                     and redone.value == decrypted.value,
                     f"{selection_id}: Entschlüsselung oder Beweis ungültig")
    report("Auszählung: homomorphe Summe nachgerechnet, alle Teilentschlüsselungen bewiesen")
    return plaintext


def _check_recovered(share, by_id, coefficients, selection_id) -> None:  # type: ignore[no-untyped-def]
    """A share rebuilt for a missing guardian uses its commitments and the right weights."""
    if share.recovered_parts is None:
        return
    product = None
    for guardian_id, part in share.recovered_parts.items():
        _require(part.recovery_key == compute_recovery_public_key(
            by_id[guardian_id], by_id[share.guardian_id]),
            f"{selection_id}: Wiederherstellungsschlüssel für {share.guardian_id} falsch")
        weighted = pow_p(part.share, coefficients.coefficients[guardian_id])
        product = weighted if product is None else mult_p(product, weighted)
    _require(product == share.share, f"{selection_id}: Ersatzanteil falsch zusammengesetzt")


def check_result(directory: Path, plaintext: PlaintextTally, ballots: int, report: Report) -> None:
    """Counts, outcome and the list of who voted agree with the tally."""
    poll = json.loads((directory / layout.POLL_FILE).read_text(encoding="utf-8"))
    voters = json.loads((directory / layout.VOTERS_FILE).read_text(encoding="utf-8"))
    counts = counts_from_tally(plaintext)
    _require(sum(counts.values()) == ballots == len(voters),
             "Zahl der Stimmen, Stimmzettel und Wählenden stimmt nicht überein")
    expected = poll_result(
        poll_id=poll["poll_id"], title=poll["title"],
        options=[(c["option_id"], c["label"]) for c in poll["counts"]], rule=poll["rule"],
        statutory_members=poll["statutory_members"], roll_size=poll["roll_size"], counts=counts,
        kind=poll.get("kind", "motion"), runoff=(poll.get("election") or {}).get("round") == 2,
        lot_commitment=(poll.get("election") or {}).get("lot_commitment"),
    )
    _require(expected == poll, "Ergebnis in ratsraum_poll.json passt nicht zur Auszählung")
    verdict = "angenommen" if poll["accepted"] else "abgelehnt"
    report(f"Ergebnis: {counts} → {verdict} ({poll['rule']}); {len(voters)} haben abgestimmt")


def run_all(directory: Path, report: Report) -> str:
    """Run every check in order; returns the record's SHA-256."""
    digest = check_sums(directory, report)
    election = Election(
        manifest=from_file(Manifest, directory / "manifest.json"),
        context=from_file(CiphertextElectionContext, directory / "context.json"),
    )
    _ = InternalManifest
    keys = check_guardians(directory, election, report)
    ballots = check_ballots(directory, election, report)
    plaintext = check_tally(directory, election, ballots, keys, report)
    check_result(directory, plaintext, len(ballots), report)
    return digest
