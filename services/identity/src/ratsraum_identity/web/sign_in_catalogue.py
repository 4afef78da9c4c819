"""The texts of the sign-in and account pages: German first, English second, from a catalogue.

These pages speak to someone who has not chosen a language yet, so they show both: the
German text, then the English one marked `lang="en"` (web/i18n/sign_in_<lang>.json).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from markupsafe import Markup

_I18N = Path(__file__).parent / "i18n"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((_I18N / f"sign_in_{lang}.json").read_text("utf-8"))
    return data


def de(key: str, **values: object) -> str:
    """The German text."""
    template = _catalogue("de")[key]
    return template.format(**values) if values else template


def en(key: str, **values: object) -> str:
    """The English text (German when English lacks it)."""
    template = _catalogue("en").get(key) or _catalogue("de")[key]
    return template.format(**values) if values else template


def both(key: str, **values: object) -> Markup:
    """German, then the English in brackets marked as English (escaped)."""
    return Markup('{} <span lang="en">({})</span>').format(de(key, **values),
                                                          en(key, **values))


def plain_both(key: str, **values: object) -> str:
    """German, then the English in brackets, as plain text (attributes, alerts)."""
    return f"{de(key, **values)} ({en(key, **values)})"
