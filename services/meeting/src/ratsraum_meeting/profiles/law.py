"""The law data behind the presets: one TOML file per state in `profiles/law/`.

Each rule pairs its value with the citation (law, paragraph, sentence), the text it was checked
against, when, and how firmly. A legal office reads these files (or docs/law.md, generated from
them); presets.py turns them into RuleProfiles.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

LAW_DIR = Path(__file__).parent / "law"
# How firmly a rule is backed:
#   official      the wording was read on the state's official law portal
#   reproduction  the wording was read in a full-text reproduction (law mirror, commentary,
#                 a town's document quoting it); the source says which
#   unverified    the finding is kept from the review that started this (issue 15) but its
#                 current wording was not read; the note says what is missing
#   default       the state code fixes no figure; a common default the body adjusts
Status = Literal["official", "reproduction", "unverified", "default"]
STATUSES: tuple[Status, ...] = ("official", "reproduction", "unverified", "default")


@dataclass(frozen=True, slots=True)
class Source:
    """A text a rule was checked against."""

    key: str
    title: str
    url: str
    version: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a state: its value and where the law says so."""

    name: str
    value: Any
    citation: str
    status: Status
    source: Source | None
    checked: date
    note: str
    # What the cited sentence says, in brief (English, for the legal office's overview).
    says: str = ""


@dataclass(frozen=True, slots=True)
class StateLaw:
    """A state's laws and every rule of its preset."""

    code: str
    name: str
    laws: tuple[str, ...]
    rules: dict[str, Rule]
    sources: dict[str, Source]
    # Where the official text was looked for and what was (not) found there.
    official_search: str = ""


class LawDataError(ValueError):
    """A law file is incomplete or inconsistent; the message names the file and rule."""


def _rule(path: Path, name: str, raw: dict[str, Any], sources: dict[str, Source],
          checked: date) -> Rule:
    where = f"{path.name}: rules.{name}"
    status = raw.get("status")
    if status not in STATUSES:
        raise LawDataError(f"{where}: status must be one of {', '.join(STATUSES)}")
    citation = str(raw.get("cite", "")).strip()
    if not citation:
        raise LawDataError(f"{where}: a citation (cite) is required")
    key = raw.get("source")
    if key is not None and key not in sources:
        raise LawDataError(f"{where}: unknown source {key!r}")
    if status in ("official", "reproduction") and key is None:
        raise LawDataError(f"{where}: a checked rule names the source it was read in")
    when = raw.get("checked", checked)
    if not isinstance(when, date):
        raise LawDataError(f"{where}: checked must be a date")
    value = raw.get("value")  # absent means None ("no such rule", "no cap")
    if isinstance(value, list):
        value = sorted(value)
    return Rule(name=name, value=value, citation=citation, status=status,
                source=sources[key] if key is not None else None, checked=when,
                note=str(raw.get("note", "")), says=str(raw.get("says", "")))


def load_state(path: Path) -> StateLaw:
    """One state's law file, checked for a citation and a date on every rule."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    checked = data.get("checked")
    if not isinstance(checked, date):
        raise LawDataError(f"{path.name}: checked (the date of the check) is required")
    sources = {key: Source(key=key, title=str(s["title"]), url=str(s.get("url", "")),
                           version=str(s.get("version", "")))
               for key, s in data.get("sources", {}).items()}
    rules = {name: _rule(path, name, raw, sources, checked)
             for name, raw in data["rules"].items()}
    return StateLaw(code=str(data["code"]), name=str(data["name"]),
                    laws=tuple(data.get("laws", ())), rules=rules, sources=sources,
                    official_search=str(data.get("official_search", "")).strip())


def load_states(directory: Path = LAW_DIR) -> dict[str, StateLaw]:
    """Every state's law file, ordered by code."""
    states = [load_state(path) for path in sorted(directory.glob("*.toml"))]
    return {state.code: state for state in sorted(states, key=lambda s: s.code)}


STATES: dict[str, StateLaw] = load_states()
