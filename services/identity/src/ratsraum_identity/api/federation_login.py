"""Sign-in through the town's own OpenID provider: start at the login page, return at the
callback, then the client's original authorization continues with `amr` ["fed"].

Whatever the provider says about its own second factor is not taken over: identity cannot
verify it, so `amr` never claims "mfa" for a federated sign-in.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode, urlsplit

import httpx
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from ratsraum_common.logging import get_logger
from ratsraum_identity.accounts import audit
from ratsraum_identity.accounts import service as accounts
from ratsraum_identity.api.authorize import _Page, _read_form, _validate
from ratsraum_identity.api.deps import Identity, identity
from ratsraum_identity.federation import signin
from ratsraum_identity.federation.settings import (
    Federation,
    client_secret,
    federation_of,
)
from ratsraum_identity.federation.upstream import (
    UpstreamRequest,
    UpstreamTokenRejected,
    discover,
    redeem,
)
from ratsraum_identity.oauth.server import HttpSnapshot
from ratsraum_identity.web.pages import CSRF_FIELD, csrf_valid, error_page

log = get_logger(__name__)
router = APIRouter(prefix="/federation", include_in_schema=False)

BROWSER_COOKIE = "ratsraum_federation"
CALLBACK_PATH = "/federation/callback"

NOT_OFFERED = ("Diese Kommune bietet keine Anmeldung über einen eigenen Anmeldedienst an. "
               "(This town offers no sign-in through its own provider.)")
FORM_EXPIRED = ("Das Formular ist abgelaufen. Bitte laden Sie die Anmeldeseite neu. "
                "(The form has expired; please reload the sign-in page.)")
UNKNOWN_ATTEMPT = ("Diese Anmeldung ist abgelaufen, wurde schon verwendet oder in einem anderen "
                   "Browser begonnen. (This sign-in has expired, was used already or was started "
                   "in another browser.)")
UPSTREAM_FAILED = ("Der Anmeldedienst Ihrer Kommune hat die Anmeldung nicht bestätigt. Bitte "
                   "versuchen Sie es erneut oder wenden Sie sich an Ihre Verwaltung. (Your "
                   "town's sign-in service did not confirm the sign-in.)")
NO_ACCOUNT = ("Zu Ihrem Konto bei {provider} gibt es in {town} keinen Zugang zu Ratsraum. "
              "Bitte wenden Sie sich an die Verwaltung Ihrer Kommune. (There is no Ratsraum "
              "account in {town} for your {provider} account; please ask your town's office.)")


# What a provider's broken or hostile answers raise (network, JSON, shape, failed checks).
_UPSTREAM_ERRORS = (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError,
                    UpstreamTokenRejected)


def callback_uri(ident: Identity) -> str:
    """The redirect URI identity registers at every town's provider."""
    return f"{ident.settings.issuer}{CALLBACK_PATH}"


def _snapshot(ident: Identity, request: Request, pairs: list[tuple[str, str]]) -> HttpSnapshot:
    """The client's authorization request as if it had just arrived at /authorize."""
    uri = f"{ident.settings.issuer}/authorize?{urlencode(pairs)}"
    return HttpSnapshot(method="GET", uri=uri, headers=dict(request.headers), args=pairs,
                        form=[])


def _http(ident: Identity) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=ident.settings.federation_timeout_seconds,
                             follow_redirects=False)


def _scope(federation: Federation) -> str:
    """Only what matching needs: the address only when accounts are matched by it."""
    return "openid profile email" if federation.claim == "email" else "openid profile"


def _secret(ident: Identity, federation: Federation) -> str | None:
    if not federation.uses_client_secret:
        return None
    return client_secret(federation.tenant, ident.settings.federation_secrets_dir)


@router.post("/start")
async def start(request: Request) -> Response:
    """Send the person to the town's provider, keeping the client's request for the return."""
    ident = identity(request)
    fields = await _read_form(request)
    submitted = dict(fields)
    if not csrf_valid(request, submitted.get(CSRF_FIELD)):
        return error_page(FORM_EXPIRED)
    pairs = [(k, v) for k, v in fields if k != CSRF_FIELD]
    grant, failure = _validate(ident, _snapshot(ident, request, pairs))
    if failure is not None:
        return failure
    tenant = dict(pairs).get("tenant", "")
    town = await accounts.get_tenant(ident.db, tenant_id=tenant) if tenant else None
    federation = await federation_of(ident.db, tenant=tenant) if town else None
    if town is None or federation is None:
        return error_page(NOT_OFFERED, status_code=404)
    upstream = UpstreamRequest()
    try:
        async with _http(ident) as http:
            provider = await discover(http, issuer=federation.issuer)
        schemes = ("https", "http") if ident.settings.federation_allow_http else ("https",)
        if urlsplit(provider.authorization_endpoint).scheme not in schemes:
            raise UpstreamTokenRejected("authorization endpoint scheme")
    except _UPSTREAM_ERRORS as error:
        log.warning("identity.federation_discovery_failed", tenant=tenant,
                    error=type(error).__name__)
        await _Page(ident, request, pairs, grant).audit(
            "federation.failed", tenant=tenant, actor=None, reason="discovery")
        return error_page(UPSTREAM_FAILED, status_code=502)
    browser = secrets.token_urlsafe(32)
    await signin.begin(ident.db, tenant=tenant, upstream=upstream, browser=browser,
                       request=pairs, lifetime_seconds=ident.settings.federation_attempt_seconds)
    target = upstream.authorization_url(endpoint=provider.authorization_endpoint,
                                        client_id=federation.client_id,
                                        redirect_uri=callback_uri(ident),
                                        scope=_scope(federation))
    response = RedirectResponse(target, status_code=303)
    # Lax: the provider sends the person back with a top-level GET, which carries it.
    response.set_cookie(BROWSER_COOKIE, browser, max_age=ident.settings.federation_attempt_seconds,
                        path=CALLBACK_PATH, httponly=True, samesite="lax",
                        secure=ident.settings.secure_cookies)
    return response


@router.get("/callback")
async def callback(request: Request) -> Response:
    """Check the provider's answer, find the town's account and continue the authorization."""
    ident = identity(request)
    query = request.query_params
    attempt = await signin.take(ident.db, state=query.get("state", ""),
                                browser=request.cookies.get(BROWSER_COOKIE, ""))
    if attempt is None:
        await _audit_failure(ident, request, tenant=None, reason="unknown_state")
        return error_page(UNKNOWN_ATTEMPT)
    tenant = attempt.tenant
    grant, failure = _validate(ident, _snapshot(ident, request, attempt.request))
    if failure is not None:
        return failure
    page = _Page(ident, request, attempt.request, grant)
    page.action = f"{ident.settings.issuer}/authorize?{urlencode(attempt.request)}"
    federation = await federation_of(ident.db, tenant=tenant)
    if federation is None:
        return error_page(NOT_OFFERED, status_code=404)
    if "error" in query or not query.get("code"):
        await page.audit("federation.failed", tenant=tenant, actor=None,
                         reason="provider_error", error=query.get("error", "no_code")[:64])
        return error_page(UPSTREAM_FAILED, status_code=401)
    try:
        async with _http(ident) as http:
            provider = await discover(http, issuer=federation.issuer)
            claims = await redeem(http, provider=provider, request=attempt.upstream,
                                  code=query["code"][:2048], client_id=federation.client_id,
                                  redirect_uri=callback_uri(ident),
                                  client_secret=_secret(ident, federation))
    except _UPSTREAM_ERRORS as error:
        reason = str(error)[:100] if isinstance(error, UpstreamTokenRejected) \
            else type(error).__name__
        log.warning("identity.federation_refused", tenant=tenant, reason=reason)
        await page.audit("federation.failed", tenant=tenant, actor=None, reason=reason)
        return error_page(UPSTREAM_FAILED, status_code=401)
    name = signin.claimed_name(claims, federation)
    subject = (await signin.account_for(ident.db, federation=federation, name=name)
               if name else None)
    if subject is None:
        ident.logins.labels("federation_no_account").inc()
        await page.audit("federation.no_account", tenant=tenant, actor=None,
                         claim=federation.claim, upstream_subject=str(claims.get("sub"))[:200])
        town = await page.town(tenant)
        return error_page(NO_ACCOUNT.format(provider=federation.display_name, town=town),
                          status_code=403)
    await page.audit("federation.matched", tenant=tenant, actor=subject,
                     claim=federation.claim, upstream_subject=str(claims.get("sub"))[:200])
    response = await page.issue(subject=subject, tenant=tenant, auth_time=int(time.time()),
                                amr=("fed",))
    response.delete_cookie(BROWSER_COOKIE, path=CALLBACK_PATH, httponly=True, samesite="lax",
                           secure=ident.settings.secure_cookies)
    return response


async def _audit_failure(ident: Identity, request: Request, *, tenant: str | None,
                         reason: str) -> None:
    await audit.record(ident.db, event="federation.failed", tenant=tenant, actor=None,
                       client=ident.client_of(request), reason=reason)
