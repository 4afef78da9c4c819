"""The import report: counts per type, repaired defects and skipped objects, in German."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Long lists of skipped objects are cut; the count still says how many there were.
MAX_ENTRIES = 500
OUTCOMES = ("created", "updated", "unchanged", "deleted")


@dataclass
class ImportReport:
    """What an import run did; serialised into the stored report and the API answer."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    repaired: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    skipped_total: int = 0
    repaired_total: int = 0
    complete: bool = True

    def count(self, kind: str, outcome: str) -> None:
        """Count one object of a type with its outcome (created, updated, ...)."""
        self.counts.setdefault(kind, Counter())[outcome] += 1

    def skip(self, kind: str, oparl_id: str, reason: str) -> None:
        """An object not imported, with the reason (German) for the town's admin."""
        self.count(kind, "skipped")
        self.skipped_total += 1
        if len(self.skipped) < MAX_ENTRIES:
            self.skipped.append({"type": kind, "id": oparl_id, "reason": reason})

    def repair(self, kind: str, oparl_id: str, defect: str, note: str, *, note_en: str = ""
               ) -> None:
        """A defect of the source that the import worked around (kept once per object)."""
        self.repaired_total += 1
        entry = {"type": kind, "id": oparl_id, "defect": defect, "note": note}
        if note_en:  # where the admin has to act, the English text goes along
            entry["note_en"] = note_en
        if len(self.repaired) < MAX_ENTRIES and entry not in self.repaired:
            self.repaired.append(entry)

    def fail(self, url: str, reason: str) -> None:
        """A list that could not be read; the run is then incomplete."""
        self.complete = False
        self.errors.append({"url": url, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        """The JSON form stored with the run."""
        return {
            "counts": {kind: dict(sorted(c.items())) for kind, c in sorted(self.counts.items())},
            "skipped": self.skipped,
            "skipped_total": self.skipped_total,
            "repaired": self.repaired,
            "repaired_total": self.repaired_total,
            "errors": self.errors,
        }
