"""The authorization endpoint: the German login page and its submission."""

from __future__ import annotations

import time
from typing import Any

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Request
from starlette.responses import Response

from ratsraum_common.logging import get_logger
from ratsraum_identity.accounts import audit
from ratsraum_identity.accounts import service as accounts
from ratsraum_identity.accounts.service import SignedInUser
from ratsraum_identity.api.client_address import limiter_key
from ratsraum_identity.api.deps import Identity, identity
from ratsraum_identity.api.passkey_steps import amr_of, offer_registration, passwordless
from ratsraum_identity.api.second_factor import ask_second_factor, second_factor_step
from ratsraum_identity.federation.settings import federation_of
from ratsraum_identity.oauth.server import HttpSnapshot, snapshot
from ratsraum_identity.web.pages import CSRF_FIELD, csrf_valid, error_page, login_page

log = get_logger(__name__)
router = APIRouter()

_RESERVED = frozenset({"username", "password", CSRF_FIELD, "mfa_token", "otp", "enrol_mfa",
                       "enrol_passkey", "passkey_challenge", "passkey_response",
                       "passkey_skip"})

BAD_REQUEST = "Die Anmeldeanfrage der Anwendung ist unvollständig oder fehlerhaft."
UNKNOWN_CLIENT = "Die anfragende Anwendung ist bei Ratsraum nicht bekannt."
BAD_REDIRECT = "Die Rücksprungadresse ist für diese Anwendung nicht registriert."
BAD_CREDENTIALS = "Benutzername oder Passwort ist falsch. Bitte versuchen Sie es erneut."
MISSING_CREDENTIALS = "Bitte geben Sie Benutzername und Passwort ein."
CSRF_FAILED = "Das Formular ist abgelaufen. Bitte geben Sie Ihre Anmeldedaten erneut ein."
RATE_LIMITED = ("Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie einige Minuten "
                "und versuchen Sie es dann erneut.")
NO_ROLE = "Sie haben für diese Kommune keinen Zugang zu Ratsraum."
SIGN_IN_VIA_PROVIDER = ("Ihre Kommune hat die Anmeldung mit Passwort abgeschaltet. Bitte "
                        "melden Sie sich über den Anmeldedienst Ihrer Kommune an. (Your town "
                        "signs you in through its own provider only.)")


def _validate(ident: Identity, snap: HttpSnapshot) -> tuple[Any, Response | None]:
    """Authlib's checks of the authorization request; an error response if they fail."""
    try:
        return ident.server.get_consent_grant(snap, end_user=None), None
    except OAuth2Error as error:
        if error.redirect_uri:  # the client and its redirect URI are verified: tell the client
            return None, ident.server.handle_error_response(None, error)
        if error.error == "invalid_client":
            message = UNKNOWN_CLIENT
        elif "redirect" in (error.description or "").lower():
            message = BAD_REDIRECT
        else:
            message = BAD_REQUEST
        log.info("identity.authorize_refused", error=error.error)
        return None, error_page(message)


async def _town(ident: Identity, tenant: str | None) -> str:
    if tenant:
        found = await accounts.get_tenant(ident.db, tenant_id=tenant)
        if found:
            return found.name
    return "Ratsraum"


class _Page:
    """Renders the login form again with the same authorization request."""

    def __init__(self, ident: Identity, request: Request, params: list[tuple[str, str]],
                 grant: Any = None):
        self.ident, self.request, self.params, self.grant = ident, request, params, grant
        self.client = ident.client_of(request)
        query = request.url.query
        self.action = f"{ident.settings.issuer}/authorize" + (f"?{query}" if query else "")

    async def audit(self, event: str, *, tenant: str | None, actor: str | None,
                    **detail: Any) -> None:
        """Record an audit event of this sign-in."""
        await audit.record(self.ident.db, event=event, tenant=tenant, actor=actor,
                           client=self.client, **detail)

    async def town(self, tenant: str | None) -> str:
        """The display name of the town."""
        return await _town(self.ident, tenant)

    async def issue(
        self, *, subject: str, tenant: str, auth_time: int, amr: tuple[str, ...]
    ) -> Response:
        """Let Authlib issue the code for the person's current roles in the town."""
        ident = self.ident
        user = await accounts.get_user(ident.db, user_id=subject)
        standing = (await accounts.standing_in(ident.db, tenant=tenant, user_id=subject)
                    if user else None)
        if user is None or standing is None:
            ident.logins.labels("no_role").inc()
            await self.audit("login.refused", tenant=tenant, actor=subject, reason="no_role")
            return await self.render(status_code=403, error=NO_ROLE)
        signed_in = SignedInUser(subject=user.id, username=user.username, name=user.name,
                                 tenant=tenant, roles=standing.roles, auth_time=auth_time,
                                 amr=amr, standing=standing)
        response = await ident.server.authorization_response(
            self.grant.request, self.grant, signed_in)
        ident.logins.labels("success").inc()
        await self.audit("login.succeeded", tenant=tenant, actor=user.id, amr=list(amr))
        return response

    async def render(self, *, status_code: int = 200, error: str | None = None,
                     username: str = "", choices: list[tuple[str, str]] | None = None,
                     ) -> Response:
        hidden = [(k, v) for k, v in self.params if not (choices and k == "tenant")]
        tenant = dict(self.params).get("tenant")
        town = await accounts.get_tenant(self.ident.db, tenant_id=tenant) if tenant else None
        federation = await federation_of(self.ident.db, tenant=town.id) if town else None
        return login_page(
            self.request, action=self.action, town=town.name if town else "Ratsraum",
            hidden=hidden, secure_cookie=self.ident.settings.secure_cookies, error=error,
            username=username, tenant_choices=choices or [], status_code=status_code,
            base=self.ident.settings.issuer,
            federation=federation.display_name if federation and not choices else "",
            password_allowed=federation.password_allowed if federation else True,
        )


@router.get("/authorize", include_in_schema=False)
async def authorize_page(request: Request) -> Response:
    """Show the login form for a valid authorization request."""
    ident = identity(request)
    snap = await snapshot(request, public_base=ident.settings.issuer)
    _grant, failure = _validate(ident, snap)
    if failure is not None:
        return failure
    params = [(k, v) for k, v in snap.args if k not in _RESERVED]
    return await _Page(ident, request, params).render()


async def _read_form(request: Request) -> list[tuple[str, str]]:
    try:
        form = await request.form()
    except Exception:  # malformed bodies are the client's fault, not a crash
        return []
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]


@router.post("/authorize", include_in_schema=False)
async def authorize_submit(request: Request) -> Response:
    """Check the credentials and, on success, redirect to the client with a code."""
    ident = identity(request)
    fields = await _read_form(request)
    params = [(k, v) for k, v in fields if k not in _RESERVED]
    if not any(k == "client_id" for k, _ in params):
        # A form without the hidden fields: the kept query string still has the request.
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in _RESERVED]
    snap = await snapshot(request, public_base=ident.settings.issuer, form=params)
    grant, failure = _validate(ident, snap)
    if failure is not None:
        return failure
    submitted = dict(fields)
    page = _Page(ident, request, params, grant)
    if "mfa_token" in submitted:
        if not csrf_valid(request, submitted.get(CSRF_FIELD)):
            ident.logins.labels("invalid_csrf").inc()
            return await page.render(status_code=400, error=CSRF_FAILED)
        return await second_factor_step(page, submitted)
    if submitted.get("passkey_response"):
        if not csrf_valid(request, submitted.get(CSRF_FIELD)):
            ident.logins.labels("invalid_csrf").inc()
            return await page.render(status_code=400, error=CSRF_FAILED)
        used = await passwordless(page, submitted)
        if isinstance(used, Response):
            return used
        user = await accounts.get_user(ident.db, user_id=used.user_id)
        if user is None:  # the account went away between the two requests
            return await page.render(status_code=403, error=NO_ROLE)
        return await _complete(ident, page, grant, user, dict(params).get("tenant"),
                               passkey_amr=amr_of(used, after_password=False))
    username = submitted.get("username", "").strip()[:100]
    password = submitted.get("password", "")
    if not csrf_valid(request, submitted.get(CSRF_FIELD)):
        ident.logins.labels("invalid_csrf").inc()
        return await page.render(status_code=400, error=CSRF_FAILED, username=username)
    if not username or not password:
        return await page.render(status_code=400, error=MISSING_CREDENTIALS, username=username)
    client = limiter_key(page.client)
    requested = dict(params).get("tenant")
    block = ident.limiter.check(username=username, client=client)
    if block is not None:
        ident.logins.labels("rate_limited").inc()
        await page.audit("login.rate_limited", tenant=requested,
                         actor=await accounts.subject_for(ident.db, username=username),
                         reason=str(block))
        return await page.render(status_code=429, error=RATE_LIMITED, username=username)
    user = await accounts.authenticate(ident.db, username=username, password=password[:1024],
                                       passwords=ident.passwords)
    if user is None:
        ident.limiter.failed(username=username, client=client)
        ident.logins.labels("invalid_credentials").inc()
        # The actor is the account if it exists; a mistyped name is not logged (it may be
        # a password typed into the wrong field).
        await page.audit("login.failed", tenant=requested,
                         actor=await accounts.subject_for(ident.db, username=username),
                         reason="invalid_credentials")
        return await page.render(status_code=401, error=BAD_CREDENTIALS, username=username)
    ident.limiter.succeeded(username=username, client=client)
    return await _complete(ident, page, grant, user, dict(params).get("tenant"),
                           wants_second_factor=submitted.get("enrol_mfa") == "1",
                           wants_passkey=submitted.get("enrol_passkey") == "1")


async def _complete(
    ident: Identity, page: _Page, grant: Any, user: Any, requested: str | None,
    *, wants_second_factor: bool = False, wants_passkey: bool = False,
    passkey_amr: tuple[str, ...] | None = None,
) -> Response:
    """Pick the town, then let Authlib issue the code and redirect."""
    tenants = await accounts.tenants_of(ident.db, user_id=user.id)
    slugs = {t.id for t in tenants}
    if requested:
        tenant = requested if requested in slugs else None
    elif len(tenants) > 1:
        ident.logins.labels("tenant_choice").inc()
        return await page.render(username=user.username,
                                 choices=[(t.id, t.name) for t in tenants])
    else:
        tenant = tenants[0].id if tenants else None
    roles = await accounts.roles_in(ident.db, tenant=tenant, user_id=user.id) if tenant else ()
    if tenant is None or not roles:
        ident.logins.labels("no_role").inc()
        await page.audit("login.refused", tenant=tenant, actor=user.id, reason="no_role")
        return await page.render(status_code=403, error=NO_ROLE, username=user.username)
    if passkey_amr is None and "admin" not in roles:
        federation = await federation_of(ident.db, tenant=tenant)
        if federation is not None and not federation.password_allowed:
            ident.logins.labels("password_off").inc()
            await page.audit("login.refused", tenant=tenant, actor=user.id,
                             reason="password_off")
            return await page.render(status_code=403, error=SIGN_IN_VIA_PROVIDER)
    if passkey_amr is None:  # a passkey with user verification is already two factors
        second = await ask_second_factor(page, user=user, tenant=tenant, roles=roles,
                                         wanted=wants_second_factor)
        if second is not None:
            return second
    amr = passkey_amr or ("pwd",)
    if wants_passkey:
        return await offer_registration(page, subject=user.id, tenant=tenant,
                                        auth_time=int(time.time()), amr=amr)
    return await page.issue(subject=user.id, tenant=tenant, auth_time=int(time.time()),
                            amr=amr)
