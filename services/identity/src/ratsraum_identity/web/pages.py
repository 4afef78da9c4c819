"""The sign-in pages (server-rendered, KERN UX, German first, accessible) and their CSRF cookie."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ratsraum_identity.web import sign_in_catalogue

CSRF_COOKIE = "ratsraum_login_csrf"
CSRF_FIELD = "csrf_token"
_CSRF_MAX_AGE = 3600

_templates = Environment(
    loader=PackageLoader("ratsraum_identity", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.globals.update(de=sign_in_catalogue.de, en=sign_in_catalogue.en,
                          both=sign_in_catalogue.both, plain_both=sign_in_catalogue.plain_both)

_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The query carries state and code_challenge; keep it out of Referer headers.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        # The one script is identity's own passkey.js, which fetches sign-in options; the
        # stylesheet and fonts are KERN's, bundled (KERN's icons are data: images). No
        # form-action: Chrome applies it to the redirect back to the client after sign-in.
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def csrf_token_for(request: Request) -> str:
    """The CSRF token of this browser: the cookie's, or a new one."""
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if 32 <= len(current) <= 128 else secrets.token_urlsafe(32)


def csrf_valid(request: Request, submitted: str | None) -> bool:
    """Double-submit check: the form's token must equal the cookie's."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie and submitted) and hmac.compare_digest(cookie, submitted or "")


def login_page(
    request: Request,
    *,
    action: str,
    town: str,
    hidden: Sequence[tuple[str, str]],
    secure_cookie: bool,
    error: str | None = None,
    username: str = "",
    tenant_choices: Sequence[tuple[str, str]] = (),
    status_code: int = 200,
    base: str = "",
    federation: str = "",
    password_allowed: bool = True,
) -> HTMLResponse:
    """Render the login form, keeping the authorization request in hidden fields.

    `federation` is the display name of the town's own provider (a second form starts the
    sign-in there); without `password_allowed` the password form is folded away for admins.
    """
    token = csrf_token_for(request)
    html = _templates.get_template("login.html").render(
        action=action, town=town, hidden=hidden, csrf_token=token, error=error,
        username=username, tenant_choices=tenant_choices, base=base, federation=federation,
        password_allowed=password_allowed,
    )
    response = HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)
    response.set_cookie(
        CSRF_COOKIE, token, max_age=_CSRF_MAX_AGE, path="/", httponly=True,
        samesite="lax", secure=secure_cookie,
    )
    return response


def error_page(message: str, *, status_code: int = 400) -> HTMLResponse:
    """A German error page for requests we must not redirect back (unverified client)."""
    html = _templates.get_template("error.html").render(message=message)
    return HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)


def signed_out_page(*, secure_cookie: bool) -> HTMLResponse:
    """The German page after sign-out when no return address was given; drops our cookie."""
    html = _templates.get_template("signed_out.html").render()
    response = HTMLResponse(html, headers=_SECURITY_HEADERS)
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=secure_cookie)
    return response


def second_factor_page(
    request: Request,
    *,
    mode: str,
    action: str,
    town: str,
    hidden: Sequence[tuple[str, str]],
    mfa_token: str,
    error: str | None = None,
    required: bool = False,
    secret: str = "",
    uri: str = "",
    qr: str = "",
    codes: Sequence[str] = (),
    status_code: int = 200,
) -> HTMLResponse:
    """The second step of sign-in: enter a code, set up an app, or note the recovery codes."""
    html = _templates.get_template("second_factor.html").render(
        mode=mode, heading=sign_in_catalogue.de(f"mfa.heading.{mode}"), action=action,
        town=town, hidden=hidden,
        csrf_token=csrf_token_for(request), mfa_token=mfa_token, error=error,
        required=required, secret=secret, uri=uri, qr=qr, codes=codes,
    )
    return HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)


def link_page(
    request: Request, *, state: str, token: str, needs_password: bool, secure_cookie: bool,
    error: str | None = None, status_code: int = 200,
) -> HTMLResponse:
    """The page of a mailed link: set a password or accept an invitation, then done."""
    csrf = csrf_token_for(request)
    kind = "password" if needs_password else "invitation"
    heading = (f"{sign_in_catalogue.de(f'link.heading.{kind}')} / "
               f"{sign_in_catalogue.en(f'link.heading.{kind}')}")
    html = _templates.get_template("account_link.html").render(
        state=state, token=token, needs_password=needs_password, csrf_token=csrf,
        error=error, action="/account/link", heading=heading,
        button=(f"{sign_in_catalogue.de(f'link.button.{kind}')} / "
                f"{sign_in_catalogue.en(f'link.button.{kind}')}"),
    )
    response = HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=_CSRF_MAX_AGE, path="/", httponly=True,
                        samesite="lax", secure=secure_cookie)
    return response


def passkey_page(
    request: Request, *, mode: str, base: str, action: str, town: str,
    hidden: Sequence[tuple[str, str]], mfa_token: str, challenge_id: str, options_json: str,
    has_code: bool = False, error: str | None = None, status_code: int = 200,
) -> HTMLResponse:
    """Create a passkey after signing in, or confirm the sign-in with one (second factor)."""
    heading = sign_in_catalogue.de(f"passkey.heading.{mode}")
    html = _templates.get_template("passkey.html").render(
        mode=mode, heading=heading, base=base, action=action, town=town, hidden=hidden,
        csrf_token=csrf_token_for(request), mfa_token=mfa_token, challenge_id=challenge_id,
        options_json=options_json, has_code=has_code, error=error,
    )
    return HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)


def account_passkeys_page(request: Request, *, status_code: int = 200,
                          **values: object) -> HTMLResponse:
    """A person's own passkeys: list, rename, remove, and create one (account pages)."""
    html = _templates.get_template("account/passkeys.html").render(**values)
    # Its forms are checked for our Origin, which "no-referrer" would turn into "null".
    headers = {**_SECURITY_HEADERS, "Referrer-Policy": "same-origin"}
    return HTMLResponse(html, status_code=status_code, headers=headers)
