"""Checking an encrypted ballot once, at cast, and adding it to the running tally."""

from __future__ import annotations

from electionguard.ballot import BallotBoxState, SubmittedBallot
from electionguard.ballot_box import submit_ballot
from electionguard.ballot_code import get_ballot_code
from electionguard.elgamal import ElGamalCiphertext, elgamal_add
from electionguard.group import hex_to_p
from electionguard.serialize import from_raw, to_raw
from ratsraum_ballot_client import Election
from ratsraum_ballot_client.election import CONTEST_ID, STYLE_ID

from ratsraum_voting.errors import Reason, VotingError

Tally = dict[str, list[str]]


def _refuse(message: str) -> VotingError:
    return VotingError(Reason.INVALID_CHOICE, message)


def check_ballot(*, election: Election, ballot_json: str) -> SubmittedBallot:
    """Parse and check every proof of a sent ballot; answer it in state CAST."""
    try:
        ballot = from_raw(SubmittedBallot, ballot_json)
    except Exception as exc:
        raise VotingError(Reason.INVALID_REQUEST,
                          "Feld ballot_json: kein lesbarer ElectionGuard-Stimmzettel.") from exc
    if ballot.state != BallotBoxState.UNKNOWN or ballot.timestamp != 0:
        raise _refuse("Der Stimmzettel muss unverändert vom Stimmzettel-Client kommen "
                      "(Zustand UNKNOWN, Zeitstempel 0).")
    if (ballot.style_id != STYLE_ID or ballot.manifest_hash != election.internal.manifest_hash
            or [c.object_id for c in ballot.contests] != [CONTEST_ID]):
        raise _refuse("Der Stimmzettel gehört nicht zu dieser geheimen Abstimmung.")
    wanted = set(election.option_ids)
    got = {s.object_id for s in ballot.contests[0].ballot_selections
           if not s.is_placeholder_selection}
    if got != wanted:
        raise _refuse("Der Stimmzettel enthält nicht genau die Optionen dieser Abstimmung.")
    context = election.context
    if not ballot.is_valid_encryption(election.internal.manifest_hash,
                                      context.elgamal_public_key,
                                      context.crypto_extended_base_hash):
        raise _refuse("Die Beweise des verschlüsselten Stimmzettels sind ungültig; "
                      "der Stimmzettel wurde nicht angenommen.")
    cast = submit_ballot(ballot, BallotBoxState.CAST)
    if cast.code_seed != election.internal.manifest_hash or not check_ballot_code(cast):
        raise _refuse("Der Bestätigungscode des Stimmzettels passt nicht zu seinem Inhalt.")
    return cast


def check_ballot_code(ballot: SubmittedBallot) -> bool:
    """Whether the ballot's confirmation code is bound to its contents."""
    return ballot.state == BallotBoxState.CAST and ballot.code == get_ballot_code(
        ballot.code_seed, ballot.timestamp, ballot.crypto_hash
    )


def ballot_json(ballot: SubmittedBallot) -> str:
    """The cast ballot in ElectionGuard's JSON form."""
    return to_raw(ballot)


def _ciphertext(pair: list[str]) -> ElGamalCiphertext:
    pad, data = hex_to_p(pair[0]), hex_to_p(pair[1])
    if pad is None or data is None:
        raise ValueError("corrupt running tally")
    return ElGamalCiphertext(pad, data)


def add_to_tally(tally: Tally, ballot: SubmittedBallot) -> Tally:
    """The running tally with this ballot's selections multiplied in (homomorphic sum)."""
    updated = dict(tally)
    for selection in ballot.contests[0].ballot_selections:
        if selection.is_placeholder_selection:
            continue
        current = selection.ciphertext
        if selection.object_id in updated:
            current = elgamal_add(_ciphertext(updated[selection.object_id]), current)
        updated[selection.object_id] = [current.pad.to_hex(), current.data.to_hex()]
    return updated
