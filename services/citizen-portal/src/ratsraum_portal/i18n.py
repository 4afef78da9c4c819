"""Page language: the switch cookie, else the browser's preference, else German."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request

from ratsraum_common.i18n import negotiate_language
from ratsraum_portal.texts import LANGUAGES, text

COOKIE = "sprache"


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
