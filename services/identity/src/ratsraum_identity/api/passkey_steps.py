"""Passkeys in the sign-in: passwordless, as the second factor, and creating one afterwards.

`amr` (RFC 8176): a passkey is proof of a key ("hwk" when bound to the device, "swk" when
synced between devices) unlocked by user verification (fingerprint, face or device PIN), so
it counts as two factors ("mfa"); after the password it is ["pwd", "hwk"|"swk", "mfa"].
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.responses import Response

from ratsraum_identity.accounts import passkeys
from ratsraum_identity.accounts.passkeys import PasskeyRefused, UsedPasskey
from ratsraum_identity.accounts.service import get_user
from ratsraum_identity.web import pending
from ratsraum_identity.web.pages import CSRF_COOKIE, passkey_page
from ratsraum_identity.web.sign_in_catalogue import plain_both

if TYPE_CHECKING:
    from ratsraum_identity.api.authorize import _Page

REFUSED = plain_both("passkey.refused")
NOT_SAVED = plain_both("passkey.not_saved")
_MFA_CLIENT = "second-factor"


def _note(page: _Page, note: pending.Pending) -> str:
    return pending.issue(note, keystore=page.ident.keystore, issuer=page.ident.settings.issuer,
                         browser_secret=page.request.cookies.get(CSRF_COOKIE, ""))


async def _render(page: _Page, note: pending.Pending, *, mode: str, status_code: int = 200,
                  error: str | None = None, has_code: bool = False) -> Response:
    ident = page.ident
    if mode == "register":
        user = await _names(page, note.subject)
        ceremony = await passkeys.start_registration(
            ident.db, rp=ident.relying_party, user_id=note.subject, username=user[0],
            name=user[1])
    else:
        ceremony = await passkeys.start_sign_in(ident.db, rp=ident.relying_party,
                                                user_id=note.subject)
    hidden = [(k, v) for k, v in page.params if k != "tenant"] + [("tenant", note.tenant)]
    return passkey_page(
        page.request, mode=mode, base=ident.settings.issuer, action=page.action,
        town=await page.town(note.tenant), hidden=hidden, mfa_token=_note(page, note),
        challenge_id=ceremony.challenge_id, options_json=ceremony.options_json,
        has_code=has_code, error=error, status_code=status_code)


async def _names(page: _Page, subject: str) -> tuple[str, str]:
    # The username and display name the device shows for the new passkey.
    user = await get_user(page.ident.db, user_id=subject)
    return (user.username, user.name) if user else (subject, subject)


def amr_of(used: UsedPasskey, *, after_password: bool) -> tuple[str, ...]:
    """What `amr` says about a sign-in with this passkey."""
    return ("pwd", used.method, "mfa") if after_password else (used.method, "mfa")


async def passwordless(page: _Page, submitted: dict[str, str]) -> UsedPasskey | Response:
    """The passkey that signed this passwordless sign-in, or the login page with the error."""
    ident = page.ident
    try:
        used = await passkeys.finish_sign_in(
            ident.db, rp=ident.relying_party, challenge_id=submitted.get("passkey_challenge", ""),
            response=submitted.get("passkey_response", ""))
    except PasskeyRefused as refused:
        ident.logins.labels("passkey_refused").inc()
        await page.audit("passkey.refused", tenant=dict(page.params).get("tenant"), actor=None,
                         reason=str(refused)[:200])
        return await page.render(status_code=401, error=REFUSED)
    await page.audit("passkey.used", tenant=dict(page.params).get("tenant"), actor=used.user_id,
                     credential=used.credential_id[:16], method=used.method, passwordless=True)
    return used


async def offer_registration(page: _Page, *, subject: str, tenant: str, auth_time: int,
                             amr: tuple[str, ...]) -> Response:
    """The page that creates a passkey before the sign-in completes."""
    note = pending.Pending(subject=subject, tenant=tenant, auth_time=auth_time,
                           stage="passkey_register", amr=amr)
    return await _render(page, note, mode="register")


async def ask_passkey(page: _Page, *, subject: str, tenant: str, has_code: bool) -> Response:
    """The second step with one of the person's passkeys."""
    note = pending.Pending(subject=subject, tenant=tenant, auth_time=int(time.time()),
                           stage="passkey_verify")
    return await _render(page, note, mode="verify", has_code=has_code)


async def passkey_step(page: _Page, note: pending.Pending,
                       submitted: dict[str, str]) -> Response | None:
    """Create or check the passkey of a passkey stage; None when the person chose a code."""
    ident = page.ident
    challenge = submitted.get("passkey_challenge", "")
    response = submitted.get("passkey_response", "")
    if note.stage == "passkey_register":
        if not response:  # skipped: sign in without creating one
            return await page.issue(subject=note.subject, tenant=note.tenant,
                                    auth_time=note.auth_time, amr=note.amr)
        try:
            credential = await passkeys.finish_registration(
                ident.db, rp=ident.relying_party, user_id=note.subject, challenge_id=challenge,
                response=response, label=page.request.headers.get("user-agent", "")[:100])
        except PasskeyRefused as refused:
            await page.audit("passkey.registration_refused", tenant=note.tenant,
                             actor=note.subject, reason=str(refused)[:200])
            return await _render(page, note, mode="register", status_code=400, error=NOT_SAVED)
        await page.audit("passkey.registered", tenant=note.tenant, actor=note.subject,
                         credential=credential[:16])
        return await page.issue(subject=note.subject, tenant=note.tenant,
                                auth_time=note.auth_time, amr=note.amr)
    if not response:
        return None
    try:
        used = await passkeys.finish_sign_in(ident.db, rp=ident.relying_party,
                                             challenge_id=challenge, response=response,
                                             user_id=note.subject)
    except PasskeyRefused as refused:
        ident.mfa_limiter.failed(username=note.subject, client=_MFA_CLIENT)
        await page.audit("passkey.refused", tenant=note.tenant, actor=note.subject,
                         reason=str(refused)[:200])
        return await _render(page, note, mode="verify", status_code=401, error=REFUSED)
    ident.mfa_limiter.succeeded(username=note.subject, client=_MFA_CLIENT)
    await page.audit("passkey.used", tenant=note.tenant, actor=note.subject,
                     credential=used.credential_id[:16], method=used.method, passwordless=False)
    return await page.issue(subject=note.subject, tenant=note.tenant, auth_time=note.auth_time,
                            amr=amr_of(used, after_password=True))
