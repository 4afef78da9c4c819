"""The law data behind the presets: complete, cited, dated, and docs/law.md in step with it."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from ratsraum_meeting.profiles.law import STATES, LawDataError, load_state
from ratsraum_meeting.profiles.law_doc import render
from ratsraum_meeting.profiles.presets import PRESETS, RuleProfile

REPO = Path(__file__).resolve().parents[4]
SNAPSHOT = Path(__file__).with_name("law_snapshot.json")
# The 13 Flächenländer (the city states run no municipal councils of this kind).
FLAECHENLAENDER = {"BB", "BW", "BY", "HE", "MV", "NI", "NRW", "RP", "SH", "SL", "SN", "ST",
                   "TH"}
RULES = [f.name for f in dataclasses.fields(RuleProfile)
         if f.name not in ("code", "name", "quorum_source")]


def test_every_flaechenland_has_a_preset() -> None:
    assert set(PRESETS) == FLAECHENLAENDER


@pytest.mark.parametrize("code", sorted(FLAECHENLAENDER))
def test_every_rule_has_a_citation_a_date_and_a_status(code: str) -> None:
    state = STATES[code]
    assert sorted(state.rules) == sorted(RULES)
    for rule in state.rules.values():
        assert rule.citation.strip(), rule.name
        assert isinstance(rule.checked, date)
        assert rule.checked <= date(2026, 12, 6)
        if rule.status in ("official", "reproduction"):
            assert rule.source is not None, rule.name
            assert rule.source.url.startswith("http"), rule.name
        if rule.status == "unverified":
            assert rule.note, f"{code}.{rule.name}: say what is missing"
    assert PRESETS[code].quorum_source == state.rules["quorum_formula"].citation


def test_docs_law_md_is_generated_from_the_data() -> None:
    current = (REPO / "docs" / "law.md").read_text(encoding="utf-8")
    assert current == render(), "docs/law.md is stale: run tools/gen_law_doc.py"


def test_docs_law_md_has_the_sections_code_cites() -> None:
    text = render()
    for heading in ("## Sessions", "## Votes", "## Quorum", "## Conflict of interest",
                    "## Minutes", "## Connection loss"):
        assert f"\n{heading}\n" in text
    for state in STATES.values():
        assert f"## {state.name} ({state.code})" in text


def test_a_preset_value_never_changes_without_its_citation() -> None:
    """The snapshot pairs each value with its citation as reviewed; a new value under the old
    citation means the law was not checked again. After a review, update both here."""
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert set(snapshot) == set(STATES)
    for code, rules in snapshot.items():
        for name, reviewed in rules.items():
            rule = STATES[code].rules[name]
            if rule.value != reviewed["value"]:
                assert rule.citation != reviewed["cite"], (
                    f"{code}.{name} changed from {reviewed['value']!r} to {rule.value!r} but "
                    f"still cites {rule.citation!r}: check the law and cite what says so")
            assert (rule.value, rule.citation) == (reviewed["value"], reviewed["cite"]), (
                f"{code}.{name}: changed after review; update law_snapshot.json with the "
                "reviewed value and citation")


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ('chair_in_room = { value = true, status = "official", source = "s" }', "citation"),
        ('chair_in_room = { value = true, cite = "§ 1", status = "sure" }', "status"),
        ('chair_in_room = { value = true, cite = "§ 1", status = "official" }', "source"),
        ('chair_in_room = { value = true, cite = "§ 1", status = "unverified", source = "x" }',
         "unknown source"),
    ],
)
def test_a_rule_without_citation_or_source_is_refused(tmp_path: Path, rule: str,
                                                      fragment: str) -> None:
    path = tmp_path / "xx.toml"
    path.write_text('code = "XX"\nname = "X"\nchecked = 2026-12-06\n'
                    '[sources]\ns = { title = "t", url = "https://example.org" }\n'
                    f"[rules]\n{rule}\n", encoding="utf-8")
    with pytest.raises(LawDataError, match=fragment):
        load_state(path)


def test_a_file_without_the_date_of_its_check_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xx.toml"
    path.write_text('code = "XX"\nname = "X"\n[rules]\n', encoding="utf-8")
    with pytest.raises(LawDataError, match="checked"):
        load_state(path)
