"""A person's own passkeys as pages: list (name, added, last used), add, rename, remove.

Signed in through the login page (ratsraum_identity.api.account_session). Adding or removing
a passkey needs a sign-in of the last few minutes, as the API's (fresh_auth); the last second
factor a town requires cannot be removed (accounts.own_factors).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from ratsraum_identity.accounts import audit, passkeys
from ratsraum_identity.accounts import service as accounts
from ratsraum_identity.accounts.models import Tenant
from ratsraum_identity.accounts.own_factors import LAST_FACTOR, may_remove_passkey
from ratsraum_identity.accounts.passkeys import PasskeyRefused
from ratsraum_identity.accounts.second_factor import mfa_required
from ratsraum_identity.api import account_session
from ratsraum_identity.api.account_session import HOME, AccountSession, posted, session_of
from ratsraum_identity.api.deps import identity
from ratsraum_identity.web.admin_render import local_time
from ratsraum_identity.web.pages import account_passkeys_page, error_page
from ratsraum_identity.web.sign_in_catalogue import plain_both

router = APIRouter(prefix="/account", include_in_schema=False)
DONE = frozenset({"added", "renamed", "removed"})


def _back(request: Request) -> str:
    """The web app's start page, from its registered sign-in callback."""
    uris = identity(request).settings.web_redirect_uris
    if not uris:
        return ""
    parts = urlsplit(uris[0])
    return f"{parts.scheme}://{parts.netloc}/"


async def _page(request: Request, session: AccountSession, *, status_code: int = 200,
                error: str | None = None, done: str | None = None) -> Response:
    ident = identity(request)
    user = await accounts.get_user(ident.db, user_id=session.subject)
    async with ident.db.system_session() as db_session:
        town = await db_session.get(Tenant, session.tenant)
    keys = [{"id": k.id, "label": k.label, "kind": "synced" if k.synced else "device",
             "added": local_time(k.created_at, "de"),
             "used": local_time(k.last_used_at, "de") if k.last_used_at else ""}
            for k in await passkeys.passkeys_of(ident.db, user_id=session.subject)]
    ceremony = None
    if session.fresh and user is not None:
        ceremony = await passkeys.start_registration(
            ident.db, rp=ident.relying_party, user_id=user.id, username=user.username,
            name=user.name)
    return account_passkeys_page(
        request, status_code=status_code, error=error, done=done, keys=keys,
        town=town.name if town else "Ratsraum", tenant=session.tenant,
        name=user.name if user else "", fresh=ceremony is not None,
        required=town is not None and mfa_required(town, tuple(session.principal.roles)),
        challenge_id=ceremony.challenge_id if ceremony else "",
        options_json=ceremony.options_json if ceremony else "", csrf_token=session.csrf,
        minutes=ident.settings.fresh_auth_seconds // 60, back=_back(request))


def _done(what: str) -> Response:
    return RedirectResponse(f"{HOME}?done={what}", status_code=303)


@router.get("")
async def account_home(request: Request) -> Response:
    """The account pages start with the passkeys."""
    tenant = request.query_params.get("tenant", "")
    return RedirectResponse(f"{HOME}?tenant={tenant[:63]}" if tenant else HOME, status_code=303)


@router.get("/sign-in")
async def sign_in(request: Request) -> Response:
    """Sign in (again) on the login page, for the given town."""
    return account_session.start_sign_in(request,
                                         tenant=request.query_params.get("tenant", ""))


@router.get("/callback")
async def callback(request: Request) -> Response:
    """Back from the login page: the session starts, or the person is told to start again."""
    finished = await account_session.finish_sign_in(request)
    if finished is None:
        return error_page(plain_both("account.callback_failed"))
    return finished


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """End the account page session."""
    session = await session_of(request)
    if session is not None and await posted(request, session) is None:
        return error_page(plain_both("account.expired"), status_code=403)
    return account_session.sign_out(request)


@router.get("/passkeys")
async def passkey_list(request: Request) -> Response:
    """The person's passkeys; without a session, off to sign in."""
    session = await session_of(request)
    if session is None:
        return account_session.start_sign_in(request,
                                              tenant=request.query_params.get("tenant", ""))
    done = request.query_params.get("done")
    return await _page(request, session, done=done if done in DONE else None)


async def _checked(request: Request) -> tuple[AccountSession, dict[str, str]] | Response:
    """The session and the form of a valid submission, else the answer to give."""
    session = await session_of(request)
    if session is None:
        return account_session.start_sign_in(request)
    form = await posted(request, session)
    if form is None:
        return await _page(request, session, status_code=403,
                           error=plain_both("account.expired"))
    return session, {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/passkeys")
async def add(request: Request) -> Response:
    """Keep the passkey the browser just created (needs a recent sign-in)."""
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    session, form = checked
    if not session.fresh:
        return await _page(request, session, status_code=401)
    ident = identity(request)
    label = form.get("label", "").strip()[:100] or "Passkey"
    try:
        credential = await passkeys.finish_registration(
            ident.db, rp=ident.relying_party, user_id=session.subject,
            challenge_id=form.get("passkey_challenge", ""),
            response=form.get("passkey_response", ""), label=label)
    except PasskeyRefused as refused:
        await audit.record(ident.db, event="passkey.registration_refused", tenant=session.tenant,
                           actor=session.subject, client=ident.client_of(request),
                           reason=str(refused)[:200])
        return await _page(request, session, status_code=400,
                           error=plain_both("account.not_saved"))
    await audit.record(ident.db, event="passkey.registered", tenant=session.tenant,
                       actor=session.subject, client=ident.client_of(request),
                       credential=credential[:16])
    return _done("added")


@router.post("/passkeys/{credential_id}/rename")
async def rename(request: Request, credential_id: str) -> Response:
    """Give one of the person's passkeys a new name."""
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    session, form = checked
    label = form.get("label", "").strip()[:100]
    if not label:
        return await _page(request, session, status_code=422,
                           error=plain_both("account.missing_name"))
    ident = identity(request)
    if not await passkeys.rename(ident.db, user_id=session.subject,
                                 credential_id=credential_id[:1400], label=label):
        return await _page(request, session, status_code=404,
                           error=plain_both("account.not_found"))
    await audit.record(ident.db, event="passkey.renamed", tenant=session.tenant,
                       actor=session.subject, client=ident.client_of(request),
                       credential=credential_id[:16])
    return _done("renamed")


@router.post("/passkeys/{credential_id}/remove")
async def remove(request: Request, credential_id: str) -> Response:
    """Remove one of the person's passkeys (recent sign-in; never the last required factor)."""
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    session, _form = checked
    if not session.fresh:
        return await _page(request, session, status_code=401)
    ident = identity(request)
    credential_id = credential_id[:1400]
    if not await may_remove_passkey(ident.db, user_id=session.subject, tenant=session.tenant,
                                    roles=tuple(session.principal.roles),
                                    credential_id=credential_id):
        await audit.record(ident.db, event="passkey.removal_refused", tenant=session.tenant,
                           actor=session.subject, client=ident.client_of(request),
                           credential=credential_id[:16], reason="last_second_factor")
        return await _page(request, session, status_code=409,
                           error=f"{LAST_FACTOR.de} ({LAST_FACTOR.en})")
    if not await passkeys.remove(ident.db, user_id=session.subject, credential_id=credential_id):
        return await _page(request, session, status_code=404,
                           error=plain_both("account.not_found"))
    await audit.record(ident.db, event="passkey.removed", tenant=session.tenant,
                       actor=session.subject, client=ident.client_of(request),
                       credential=credential_id[:16])
    return _done("removed")
