"""The town admin's pages (`/admin/...`): accounts, invitations, roles per body, deactivation,
password resets and person links. Each form calls the same function as the town admin API,
so the rules, the mails and the audit events are the API's own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from ratsraum_identity.admin_errors import AdminError
from ratsraum_identity.api import town_admin as api
from ratsraum_identity.api.account_links import send_reset
from ratsraum_identity.api.admin_common import record
from ratsraum_identity.api.admin_session import (
    PageSession,
    expired,
    posted,
    session_of,
    sign_in,
    sign_in_page,
    sign_out,
)
from ratsraum_identity.api.deps import identity
from ratsraum_identity.web.admin_forms import (
    BODY_ROLE_CHOICES,
    error_texts,
    field,
    role_rows,
    roles_of,
)
from ratsraum_identity.web.admin_render import language_of, render

router = APIRouter(prefix="/admin", include_in_schema=False)
DONE = ("invited", "roles", "person", "deactivated", "reactivated", "reinvited", "reset",
        "imported", "settings")


async def page(request: Request, template: str, session: PageSession, *,
               status_code: int = 200, **values: Any) -> Response:
    """A town admin page with the town's name, the navigation and the form token."""
    assert session.actor.tenant
    done = request.query_params.get("done")
    return render(request, template, status_code=status_code, kind="town",
                  csrf_token=session.csrf, body_role_choices=BODY_ROLE_CHOICES,
                  town=await api.town_name(identity(request), session.actor.tenant),
                  done=done if done in DONE else None, **values)


@router.get("")
async def admin_home(request: Request) -> Response:
    """The admin pages start at the account list."""
    return RedirectResponse("/admin/accounts", status_code=303)


@router.get("/sign-in")
async def admin_sign_in_form(request: Request, tenant: str = "") -> Response:
    """The town admin's sign-in form."""
    return sign_in_page(request, "town", tenant=tenant.strip().lower()[:63])


@router.post("/sign-in")
async def admin_sign_in(request: Request) -> Response:
    """Sign in as a town admin (password and, where required, the authenticator code)."""
    return await sign_in(request, "town")


@router.post("/sign-out")
async def admin_sign_out(request: Request) -> Response:
    """End the admin page session."""
    session = await session_of(request, "town")
    if isinstance(session, PageSession) and await posted(request, session) is None:
        return expired(request, session)
    return sign_out(request, "town")


@router.get("/accounts")
async def accounts_page(request: Request) -> Response:
    """Every account of the admin's town with its roles per body."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    found = await api.list_accounts(request, session.actor)
    return await page(request, "accounts.html", session, accounts=found)


def _invite_form(values: dict[str, Any] | None = None) -> dict[str, Any]:
    values = values or {}
    return {"name": values.get("name", ""), "email": values.get("email", ""),
            "person_id": values.get("person_id", ""),
            "town_roles": values.get("town_roles", []),
            "rows": role_rows(values.get("body_roles", []))}


@router.get("/accounts/new")
async def invite_form(request: Request) -> Response:
    """The form to invite a person by mail."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    return await page(request, "invite.html", session, form=_invite_form(), errors=[])


@router.post("/accounts/new")
async def invite_submit(request: Request) -> Response:
    """Invite the person (the API's function: checks, mail with the set-password link, audit)."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    form = await posted(request, session)
    if form is None:
        return expired(request, session)
    values = {"name": field(form, "name", 200), "email": field(form, "email", 320),
              "person_id": field(form, "person_id", 64) or None, **roles_of(form)}
    try:
        invited = await api.invite_account(api.AccountIn(**values), request, session.actor)
    except (AdminError, ValidationError) as exc:
        return await page(request, "invite.html", session,
                          status_code=getattr(exc, "status", 422),
                          form=_invite_form({**values, "person_id": values["person_id"] or ""}),
                          errors=error_texts(exc, language_of(request)))
    return RedirectResponse(f"/admin/accounts/{invited.id}?done=invited&mail={invited.mail}",
                            status_code=303)


async def _account_page(request: Request, session: PageSession, account_id: str, *,
                        errors: list[str] | None = None, status_code: int = 200,
                        roles_form: dict[str, Any] | None = None,
                        person_id: str | None = None) -> Response:
    account = await api.get_account(account_id, request, session.actor)
    town_roles = roles_form["town_roles"] if roles_form else list(account.town_roles)
    rows = role_rows(roles_form["body_roles"] if roles_form
                     else [r.model_dump() for r in account.body_roles])
    mail = request.query_params.get("mail")
    return await page(request, "account.html", session, status_code=status_code,
                      account=account, town_roles=town_roles, rows=rows, errors=errors or [],
                      person_id=account.person_id if person_id is None else person_id,
                      mail=mail if mail in ("sent", "not_sent", "failed") else None)


@router.get("/accounts/{account_id}")
async def account_page(account_id: str, request: Request) -> Response:
    """One account: its roles, person link and what can be done with it."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    try:
        return await _account_page(request, session, account_id)
    except AdminError as exc:
        return await page(request, "refused_in_town.html", session, status_code=exc.status,
                          errors=error_texts(exc, language_of(request)))


@router.post("/accounts/{account_id}/{action}")
async def account_action(account_id: str, action: str, request: Request) -> Response:
    """Change roles, link a person, deactivate, reactivate, re-invite or send a reset."""
    session = await session_of(request, "town")
    if not isinstance(session, PageSession):
        return session
    form = await posted(request, session)
    if form is None:
        return expired(request, session)
    actor, roles_form, person = session.actor, None, None
    try:
        if action == "roles":
            roles_form = roles_of(form)
            await api.set_roles(account_id, api.RolesIn(**roles_form), request, actor)
            done = "roles"
        elif action == "person":
            person = field(form, "person_id", 64)
            await api.link_person(account_id, api.PersonIn(person_id=person or None),
                                  request, actor)
            done = "person"
        elif action in ("deactivate", "reactivate"):
            await (api.deactivate if action == "deactivate" else api.reactivate)(
                account_id, request, actor)
            done = f"{action}d"
        elif action == "invitation":
            sent = await api.resend_invitation(account_id, request, actor)
            return RedirectResponse(f"/admin/accounts/{sent.id}?done=reinvited&mail={sent.mail}",
                                    status_code=303)
        elif action == "reset":
            await _send_reset(request, session, account_id)
            done = "reset"
        else:
            return await page(request, "refused_in_town.html", session, status_code=404,
                              errors=[])
    except (AdminError, ValidationError) as exc:
        errors = error_texts(exc, language_of(request))
        try:
            return await _account_page(request, session, account_id, errors=errors,
                                       status_code=getattr(exc, "status", 422),
                                       roles_form=roles_form, person_id=person)
        except AdminError:
            return await page(request, "refused_in_town.html", session, status_code=404,
                              errors=errors)
    return RedirectResponse(f"/admin/accounts/{account_id}?done={done}", status_code=303)


async def _send_reset(request: Request, session: PageSession, account_id: str) -> None:
    """Mail the account a password-reset link (the same mail as 'forgot password')."""
    ident, actor = identity(request), session.actor
    assert actor.tenant
    account = await api.get_account(account_id, request, actor)
    if account.email:
        await send_reset(ident, actor.tenant, account.email, actor.client)
    await record(ident, actor, "account.password_reset_sent", tenant=actor.tenant,
                 account=account.id, mail="requested" if account.email else "not_sent")
