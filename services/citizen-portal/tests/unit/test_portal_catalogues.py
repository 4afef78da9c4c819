"""Every text a page asks for exists in German and English; no language lacks a key."""

from __future__ import annotations

import re

from ratsraum_portal.context import TEMPLATES_DIR
from ratsraum_portal.i18n import is_local_path
from ratsraum_portal.meetings.schemas import meeting_view
from ratsraum_portal.texts import catalogue, text

KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")


def test_both_catalogues_hold_the_same_keys() -> None:
    assert set(catalogue("de")) == set(catalogue("en"))
    assert all(catalogue("en").values())
    assert all(catalogue("de").values())


def test_every_key_the_templates_use_exists() -> None:
    used = {key for page in TEMPLATES_DIR.glob("*.html")
            for key in KEY.findall(page.read_text(encoding="utf-8"))}
    assert used, "templates should take their texts from the catalogues"
    assert used <= set(catalogue("de")), used - set(catalogue("de"))


def test_texts_fill_their_placeholders() -> None:
    assert text("de", "town.heading", name="Soest") == "Soest: öffentliche Sitzungen"
    assert text("en", "town.heading", name="Soest") == "Soest: public meetings"


def test_only_local_paths_count_as_a_way_back() -> None:
    assert is_local_path("/soest/sitzungen/1")
    assert not is_local_path("//evil.example/")
    assert not is_local_path("https://evil.example/")
    assert not is_local_path("/\\evil.example")


def test_meeting_pages_word_states_and_results_in_english() -> None:
    view = meeting_view({
        "status": "running", "present": 9, "members": 11, "quorate": True,
        "starts_at": "2025-11-25T17:00:00Z",
        "agenda": [{"id": "i1", "number": "Ö 1", "position": 1, "status": "decided",
                    "result": {"outcome": "accepted", "method": "roll_call", "yes": 6,
                               "no": 3, "abstain": 2,
                               "named_votes": [{"name": "Anna Becker", "option_id": "no"}]}}],
    }, "en")
    assert view.status_label == "In session"
    assert view.starts_at == "Tuesday, 25 November 2025, 18:00"
    assert view.presence == "9 of 11 members present – quorate"
    item = view.agenda[0]
    assert item.status_label == "Decided"
    assert item.result is not None
    assert item.result.summary == "Accepted – Yes 6, No 3, Abstention 2"
    assert item.result.method == "Roll-call vote"
    assert item.result.named_votes[0].option == "No"
