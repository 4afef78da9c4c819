"""Rendering the town admin's and the operator's pages: Jinja, the text catalogues, headers."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ratsraum_common.i18n import Msg, negotiate_language

LANG_COOKIE = "ratsraum_lang"
LANGUAGES = ("de", "en")
BERLIN = ZoneInfo("Europe/Berlin")
ASSETS = Path(__file__).resolve().parents[1] / "static" / "build"
_I18N = Path(__file__).parent / "i18n"

_templates = Environment(
    loader=PackageLoader("ratsraum_identity", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Every asset is our own (KERN's stylesheet and fonts, bundled); no script at all.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every text of the admin pages in one language (web/i18n/admin_<lang>.json)."""
    data: dict[str, str] = json.loads((_I18N / f"admin_{lang}.json").read_text("utf-8"))
    return data


def text(lang: str, key: str, **values: object) -> str:
    """One text with placeholders filled; German when English lacks it."""
    template = catalogue(lang).get(key) or catalogue("de").get(key) or key
    return template.format(**values) if values else template


def language_of(request: Request) -> str:
    """The language chosen in the web app (cookie), else the browser's, German by default."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate_language(request.headers.get("accept-language"))


def local_time(moment: datetime, lang: str) -> str:
    """A moment as a person in Germany reads it."""
    local = moment.astimezone(BERLIN)
    return local.strftime("%d %b %Y, %H:%M" if lang == "en" else "%d.%m.%Y, %H:%M Uhr")


def render(request: Request, template: str, *, status_code: int = 200,
           **values: Any) -> HTMLResponse:
    """A page in the request's language."""
    lang = language_of(request)

    def t(key: str, **fill: object) -> str:
        return text(lang, key, **fill)

    def msg(message: Msg, **fill: object) -> str:
        return message.render(lang, **fill)

    html = _templates.get_template(f"admin/{template}").render(
        lang=lang, t=t, msg=msg, when=lambda m: local_time(m, lang),
        request_path=request.url.path, **values)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)
