"""The second step of sign-in: a TOTP or recovery code, or setting up an authenticator app.

After the password, the person gets a signed note (web/pending.py) in a hidden field; the
code is posted back with it to /authorize, which issues the authorization code once the
second factor holds. `amr` then says ["pwd", "otp", "mfa"] (RFC 8176).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from ratsraum_identity.accounts import second_factor as factors
from ratsraum_identity.accounts.passkeys import passkeys_of
from ratsraum_identity.accounts.service import get_tenant, get_user
from ratsraum_identity.api.passkey_steps import ask_passkey, passkey_step
from ratsraum_identity.web import pending
from ratsraum_identity.web.pages import CSRF_COOKIE, second_factor_page

if TYPE_CHECKING:
    from ratsraum_identity.api.authorize import _Page

WITH_SECOND_FACTOR = ("pwd", "otp", "mfa")
EXPIRED = ("Die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut mit Benutzername und "
           "Passwort an.")
WRONG_CODE = "Der Code ist falsch oder abgelaufen. Bitte geben Sie den aktuellen Code ein."
WRONG_SETUP_CODE = ("Der Code passt nicht zum angezeigten Schlüssel. Prüfen Sie die Uhrzeit "
                    "Ihres Geräts und geben Sie den aktuellen Code ein.")
TOO_MANY = ("Zu viele falsche Codes. Bitte warten Sie einige Minuten und melden Sie sich dann "
            "erneut an.")
_MFA_CLIENT = "second-factor"


def _browser(page: _Page) -> str:
    return page.request.cookies.get(CSRF_COOKIE, "")


def _note(page: _Page, note: pending.Pending) -> str:
    settings = page.ident.settings
    return pending.issue(note, keystore=page.ident.keystore, issuer=settings.issuer,
                         browser_secret=_browser(page))


def _hidden(page: _Page, tenant: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in page.params if k != "tenant"] + [("tenant", tenant)]


async def _render(page: _Page, note: pending.Pending, *, mode: str, status_code: int = 200,
                  error: str | None = None, **extra: Any) -> Response:
    return second_factor_page(
        page.request, mode=mode, action=page.action, town=await page.town(note.tenant),
        hidden=_hidden(page, note.tenant), mfa_token=_note(page, note), error=error,
        status_code=status_code, **extra,
    )


async def _enrol_page(page: _Page, note: pending.Pending, *, username: str, required: bool,
                      status_code: int = 200, error: str | None = None) -> Response:
    uri = factors.provisioning_uri(secret=note.secret, username=username)
    return await _render(page, note, mode="enrol", status_code=status_code, error=error,
                         required=required, secret=factors.grouped(note.secret), uri=uri,
                         qr=factors.qr_svg(uri))


async def ask_second_factor(
    page: _Page, *, user: Any, tenant: str, roles: tuple[str, ...], wanted: bool
) -> Response | None:
    """The code or set-up page when the person has or needs a second factor; else None."""
    ident = page.ident
    auth_time = int(time.time())
    has_code = await factors.totp_of(ident.db, user_id=user.id) is not None
    if await passkeys_of(ident.db, user_id=user.id):
        return await ask_passkey(page, subject=user.id, tenant=tenant, has_code=has_code)
    if has_code:
        note = pending.Pending(subject=user.id, tenant=tenant, auth_time=auth_time,
                               stage="verify")
        return await _render(page, note, mode="verify")
    town = await get_tenant(ident.db, tenant_id=tenant)
    required = town is not None and factors.mfa_required(town, roles)
    if not (required or wanted):
        return None
    note = pending.Pending(subject=user.id, tenant=tenant, auth_time=auth_time, stage="enrol",
                           secret=factors.new_secret())
    await page.audit("mfa.enrolment_started", tenant=tenant, actor=user.id, required=required)
    return await _enrol_page(page, note, username=user.username, required=required)


async def second_factor_step(page: _Page, submitted: dict[str, str]) -> Response:
    """Check the posted code against the note's stage and go on."""
    ident = page.ident
    note = pending.read(submitted.get("mfa_token", ""), keystore=ident.keystore,
                        issuer=ident.settings.issuer, browser_secret=_browser(page))
    if note is None:
        ident.logins.labels("mfa_expired").inc()
        return await page.render(status_code=400, error=EXPIRED)
    code = submitted.get("otp", "").strip()[:64]
    if note.stage == "done":
        return await page.issue(subject=note.subject, tenant=note.tenant,
                                auth_time=note.auth_time, amr=note.amr)
    if ident.mfa_limiter.blocked(username=note.subject, client=_MFA_CLIENT):
        ident.logins.labels("mfa_rate_limited").inc()
        await page.audit("mfa.rate_limited", tenant=note.tenant, actor=note.subject)
        return await page.render(status_code=429, error=TOO_MANY)
    if note.stage.startswith("passkey_"):
        answer = await passkey_step(page, note, submitted)
        if answer is not None:
            return answer
        if await factors.totp_of(ident.db, user_id=note.subject) is None:
            return await page.render(status_code=400, error=EXPIRED)
        # The person chose their authenticator app instead of the passkey.
        code_note = pending.Pending(subject=note.subject, tenant=note.tenant,
                                    auth_time=note.auth_time, stage="verify")
        return await _render(page, code_note, mode="verify")
    if note.stage == "verify":
        return await _verify(page, note, code)
    if note.stage == "enrol":
        return await _confirm(page, note, code)
    return await page.render(status_code=400, error=EXPIRED)


async def _verify(page: _Page, note: pending.Pending, code: str) -> Response:
    ident = page.ident
    if await factors.check_totp(ident.db, user_id=note.subject, code=code, box=ident.secrets):
        await page.audit("mfa.succeeded", tenant=note.tenant, actor=note.subject, method="totp")
    else:
        left = await factors.use_recovery_code(ident.db, user_id=note.subject, code=code)
        if left is None:
            ident.mfa_limiter.failed(username=note.subject, client=_MFA_CLIENT)
            ident.logins.labels("mfa_failed").inc()
            await page.audit("mfa.failed", tenant=note.tenant, actor=note.subject)
            return await _render(page, note, mode="verify", status_code=401, error=WRONG_CODE)
        await page.audit("mfa.recovery_code_used", tenant=note.tenant, actor=note.subject,
                         left=left)
    ident.mfa_limiter.succeeded(username=note.subject, client=_MFA_CLIENT)
    return await page.issue(subject=note.subject, tenant=note.tenant,
                            auth_time=note.auth_time, amr=WITH_SECOND_FACTOR)


async def _confirm(page: _Page, note: pending.Pending, code: str) -> Response:
    ident = page.ident
    step = factors.matching_step(note.secret, code)
    if step is None:
        ident.mfa_limiter.failed(username=note.subject, client=_MFA_CLIENT)
        await page.audit("mfa.enrolment_failed", tenant=note.tenant, actor=note.subject)
        user = await get_user(ident.db, user_id=note.subject)
        return await _enrol_page(page, note, username=user.username if user else "",
                                 required=False, status_code=400, error=WRONG_SETUP_CODE)
    codes = await factors.enrol_totp(ident.db, user_id=note.subject, secret=note.secret,
                                     step=step, box=ident.secrets)
    ident.mfa_limiter.succeeded(username=note.subject, client=_MFA_CLIENT)
    await page.audit("mfa.enrolled", tenant=note.tenant, actor=note.subject, method="totp")
    done = pending.Pending(subject=note.subject, tenant=note.tenant, auth_time=note.auth_time,
                           stage="done", amr=WITH_SECOND_FACTOR)
    return await _render(page, done, mode="codes", codes=codes)

