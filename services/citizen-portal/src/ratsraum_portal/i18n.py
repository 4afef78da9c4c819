"""Page language: German first, English second; texts live in one catalogue per language."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request

from ratsraum_common.i18n import negotiate_language

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("de", "en")
COOKIE = "sprache"


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@lru_cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language, by dotted key."""
    with (LOCALES_DIR / f"{lang}.toml").open("rb") as handle:
        texts: dict[str, str] = {}
        _flatten("", tomllib.load(handle), texts)
        return texts


def text(lang: str, key: str, **values: object) -> str:
    """One text; a key missing in English falls back to German, then to the key itself."""
    template = catalogue(lang).get(key) or catalogue("de").get(key) or key
    return template.format(**values) if values else template


def page_language(request: Request) -> str:
    """The chosen language (switch cookie), else the browser's preference, else German."""
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return negotiate_language(request.headers.get("accept-language"))


def is_local_path(value: str) -> bool:
    """True for a path on this site (no scheme or host), safe to redirect back to."""
    return value.startswith("/") and not value.startswith(("//", "/\\"))


def language_context(request: Request) -> dict[str, Any]:
    """What every page template gets: the language, `t(key)` and the switch to the other one."""
    lang = page_language(request)
    other = "en" if lang == "de" else "de"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")

    def translate(key: str, **values: object) -> str:
        return text(lang, key, **values)

    return {"lang": lang, "t": translate, "other_lang": other,
            "switch_url": f"/sprache/{other}?zurueck={quote(here, safe='')}"}
