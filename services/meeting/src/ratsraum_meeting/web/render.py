"""Rendering pages: the Jinja environment, the text catalogues, the language of a request."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ratsraum_common.i18n import negotiate_language
from ratsraum_meeting.signin.sessions import SignedIn

LANG_COOKIE = "ratsraum_lang"
LANGUAGES = ("de", "en")
BERLIN = ZoneInfo("Europe/Berlin")
_I18N = Path(__file__).parent / "i18n"
_JS_TEXTS = ("live.", "vote.", "speakers.", "device.")  # what app.js shows, handed over in the page

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# Every asset comes from us; no inline script, no external source. Forms post here, and
# sign-out continues at identity (form-action also governs that redirect).
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' {idp}")


def _headers(request: Request) -> dict[str, str]:
    signin = getattr(request.app.state, "signin", None)
    idp = urlsplit(signin.identity.issuer) if signin is not None else None
    origin = f"{idp.scheme}://{idp.netloc}" if idp else ""
    return {**SECURITY_HEADERS, "Content-Security-Policy": _CSP.format(idp=origin).strip()}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every text of the app in one language (web/i18n/<lang>.json)."""
    data: dict[str, str] = json.loads((_I18N / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def text(lang: str, key: str, **values: object) -> str:
    """One text, placeholders filled; the German text when English lacks it."""
    template = catalogue(lang).get(key) or catalogue("de").get(key) or key
    return template.format(**values) if values else template


def language_of(request: Request) -> str:
    """The chosen language (cookie), else the browser's preference, German by default."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate_language(request.headers.get("accept-language"))


def _local(value: str | datetime | None, lang: str, style: str = "datetime") -> str:
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(BERLIN)
    if style == "time":
        return local.strftime("%H:%M")
    if lang == "en":
        return local.strftime("%d %b %Y, %H:%M")
    return local.strftime("%d.%m.%Y, %H:%M Uhr")


_URL = re.compile(r"https?://[^\s<>\"']+")


def _linkify(value: str) -> Markup:
    """Plain text with its web addresses as links (escaped)."""
    parts, last = [], 0
    for match in _URL.finditer(value):
        parts.append(escape(value[last:match.start()]))
        parts.append(Markup('<a class="kern-link" href="{0}">{0}</a>').format(match.group(0)))
        last = match.end()
    parts.append(escape(value[last:]))
    return Markup("").join(parts)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ratsraum_meeting.web", "templates"),
        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["local"] = _local
    env.filters["linkify"] = _linkify
    return env


def render(request: Request, template: str, context: dict[str, Any],
           *, signed: SignedIn | None) -> str:
    """The HTML of one page in the request's language."""
    lang = language_of(request)
    principal = signed.principal if signed else None
    roles = sorted(principal.roles) if principal else []
    base = {
        "lang": lang,
        "t": lambda key, **values: text(lang, key, **values),
        "request_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "person": principal,
        "roles": roles,
        "is_member": "member" in roles,
        "is_staff": bool({"clerk", "chair"} & set(roles)),
        "csrf_token": signed.csrf_token if signed else "",
        "town": getattr(request.state, "town", ""),
        "js_texts": {k: v for k, v in catalogue(lang).items() if k.startswith(_JS_TEXTS)},
    }
    return _environment().get_template(template).render(**base, **context)


def page(request: Request, template: str, context: dict[str, Any], *,
         signed: SignedIn | None, status_code: int = 200) -> HTMLResponse:
    """A rendered page with our security headers."""
    return HTMLResponse(render(request, template, context, signed=signed),
                        status_code=status_code, headers=_headers(request))


def error_page(request: Request, reason: str, *, status_code: int, retry: bool = False,
               detail: str = "", signed: SignedIn | None = None) -> HTMLResponse:
    """A friendly error page: what happened and what to do (texts error.<reason>.*)."""
    return page(request, "error.html", {"reason": reason, "retry": retry, "detail": detail,
                                        "status": status_code},
                signed=signed, status_code=status_code)
