"""The ElectionGuard manifest of a Ratsraum poll, shared by the voter's device and voting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from electionguard.election import CiphertextElectionContext
from electionguard.manifest import (
    BallotStyle,
    Candidate,
    ContestDescription,
    ElectionType,
    GeopoliticalUnit,
    InternalManifest,
    Manifest,
    ReportingUnitType,
    SelectionDescription,
    SpecVersion,
    VoteVariationType,
)
from electionguard.serialize import from_raw, to_raw

# One poll is one ElectionGuard election with one contest and one ballot style.
UNIT_ID = "gremium"
STYLE_ID = "stimmzettel"
CONTEST_ID = "abstimmung"


def build_manifest(*, poll_id: str, title: str, options: Sequence[tuple[str, str]]) -> Manifest:
    """A one-contest manifest: one selection per option (yes/no/abstain or candidates)."""
    if len({option_id for option_id, _ in options}) != len(options) or len(options) < 2:
        raise ValueError("a secret poll needs at least two distinct options")
    selections = [
        SelectionDescription(option_id, order, option_id)
        for order, (option_id, _label) in enumerate(options)
    ]
    contest = ContestDescription(
        CONTEST_ID, 0, UNIT_ID, VoteVariationType.one_of_m, 1, 1, title[:200], selections
    )
    style = BallotStyle(STYLE_ID, [UNIT_ID])
    # A fixed date keeps the manifest (and so its hash) a pure function of the poll.
    day = datetime(2000, 1, 1, tzinfo=UTC)
    return Manifest(
        election_scope_id=poll_id,
        spec_version=SpecVersion.EG1_0,
        type=ElectionType.other,
        start_date=day,
        end_date=day,
        geopolitical_units=[GeopoliticalUnit(UNIT_ID, "Gremium", ReportingUnitType.other)],
        parties=[],
        candidates=[Candidate(option_id) for option_id, _ in options],
        contests=[contest],
        ballot_styles=[style],
    )


@dataclass(frozen=True)
class Election:
    """What a voter's device needs to encrypt a ballot: the manifest and the public context."""

    manifest: Manifest
    context: CiphertextElectionContext

    @classmethod
    def from_json(cls, *, manifest_json: str, context_json: str) -> Election:
        """Parse the manifest and context that voting hands out for a secret poll."""
        return cls(
            manifest=from_raw(Manifest, manifest_json),
            context=from_raw(CiphertextElectionContext, context_json),
        )

    def manifest_json(self) -> str:
        """The manifest in ElectionGuard's JSON form."""
        return to_raw(self.manifest)

    def context_json(self) -> str:
        """The context in ElectionGuard's JSON form."""
        return to_raw(self.context)

    @cached_property
    def internal(self) -> InternalManifest:
        """ElectionGuard's internal view of the manifest (with its hash)."""
        return InternalManifest(self.manifest)

    @property
    def option_ids(self) -> list[str]:
        """The option ids a voter may choose, in ballot order."""
        return [s.object_id for s in self.manifest.contests[0].ballot_selections]
