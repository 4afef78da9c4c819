"""The sign-in catalogue: every text a sign-in page names exists in German, English only
adds to German, and the bilingual form escapes what it is given."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ratsraum_identity.web import sign_in_catalogue

PACKAGE = Path(sign_in_catalogue.__file__).resolve().parents[1]
KEYS = re.compile(r"""\b(?:de|en|both|plain_both)\(\s*'([a-z_.]+)'""")


def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads(
        (PACKAGE / "web" / "i18n" / f"sign_in_{lang}.json").read_text("utf-8"))
    return data


def test_every_named_text_is_in_german_and_english_adds_nothing_unknown() -> None:
    german, english = _catalogue("de"), _catalogue("en")
    named = {key for template in (PACKAGE / "templates").rglob("*.html")
             for key in KEYS.findall(template.read_text("utf-8"))}
    assert named  # the pages do use the catalogue
    # A key ending in "." is completed in the template (…'.' ~ mode): some text must follow.
    assert sorted(k for k in named if not k.endswith(".") and k not in german) == []
    assert sorted(k for k in named if k.endswith(".")
                  and not any(g.startswith(k) for g in german)) == []
    assert sorted(set(english) - set(german)) == []


def test_both_puts_german_first_and_escapes() -> None:
    text = sign_in_catalogue.both("login.federation", provider="Amt <Soest>")
    assert str(text) == ('Mit Amt &lt;Soest&gt; anmelden <span lang="en">'
                         '(sign in with Amt &lt;Soest&gt;)</span>')
    assert sign_in_catalogue.en("login.town_hint") == sign_in_catalogue.de("login.town_hint")
