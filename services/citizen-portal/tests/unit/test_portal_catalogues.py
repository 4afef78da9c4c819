"""Every text a page asks for exists in German and English; no language lacks a key."""

from __future__ import annotations

import re

from ratsraum_portal.context import TEMPLATES_DIR
from ratsraum_portal.i18n import catalogue, is_local_path, text

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
