"""Every identity API route × every caller: who may do what.

The routes come from the app, so a new endpoint fails this test until ROUTES says who may call
it. Allowed callers get past the checks (no 401, 403 or 404); refused ones get 401, 403 or 404.
Members, clerks and chairs present the access token of their web sign-in; admins and operators
the admin API's token; anonymous callers nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
from admin_testkit import make_operator, operator_headers, sign_in, town_headers
from fastapi import FastAPI
from fastapi.routing import APIRoute
from identity_testkit import PersonFactory

from ratsraum_identity.accounts.service import ensure_tenant

TOWN, OTHER = "soest", "hamm"
CALLERS = ("member", "clerk", "chair", "admin", "operator", "other_admin", "anonymous")
EVERYONE = frozenset(CALLERS)
OPERATOR, ADMIN = frozenset({"operator"}), frozenset({"admin"})
# Town routes without an id act on the caller's own town: another town's admin may call them
# (and must not see this town's accounts, checked below).
OWN_TOWN = frozenset({"admin", "other_admin"})

# (method, path) -> callers allowed. Public routes answer everyone (they check what is sent).
ROUTES: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/admin-tokens"): frozenset({"admin", "operator"}),
    ("POST", "/api/v1/password-resets"): EVERYONE,
    ("POST", "/api/v1/mail-links/redeem"): EVERYONE,
    ("POST", "/api/v1/operator/towns"): OPERATOR,
    ("GET", "/api/v1/operator/towns"): OPERATOR,
    ("GET", "/api/v1/operator/towns/{town_id}"): OPERATOR,
    ("POST", "/api/v1/operator/towns/{town_id}/suspend"): OPERATOR,
    ("POST", "/api/v1/operator/towns/{town_id}/resume"): OPERATOR,
    ("DELETE", "/api/v1/operator/towns/{town_id}"): OPERATOR,
    ("GET", "/api/v1/operator/audit"): OPERATOR,
    ("POST", "/api/v1/town/accounts/import"): OWN_TOWN,
    ("GET", "/api/v1/town/accounts"): OWN_TOWN,
    ("POST", "/api/v1/town/accounts"): OWN_TOWN,
    ("GET", "/api/v1/town/accounts/{account_id}"): ADMIN,
    ("PUT", "/api/v1/town/accounts/{account_id}/roles"): ADMIN,
    ("PUT", "/api/v1/town/accounts/{account_id}/person"): ADMIN,
    ("POST", "/api/v1/town/accounts/{account_id}/deactivate"): ADMIN,
    ("POST", "/api/v1/town/accounts/{account_id}/reactivate"): ADMIN,
    ("POST", "/api/v1/town/accounts/{account_id}/invitation"): ADMIN,
    ("GET", "/api/v1/town/audit"): OWN_TOWN,
    ("GET", "/api/v1/town/settings"): OWN_TOWN,
    ("PUT", "/api/v1/town/settings"): OWN_TOWN,
    ("GET", "/api/v1/town/federation"): OWN_TOWN,
    ("PUT", "/api/v1/town/federation"): OWN_TOWN,
    ("DELETE", "/api/v1/town/federation"): OWN_TOWN,
    # A person's own passkeys, with the access token of their web sign-in.
    ("GET", "/api/v1/me/passkeys"): frozenset({"member", "clerk", "chair"}),
    ("DELETE", "/api/v1/me/passkeys/{credential_id}"): frozenset({"member", "clerk", "chair"}),
    ("DELETE", "/api/v1/me/totp"): frozenset({"member", "clerk", "chair"}),
}
# Routes on a thing of the caller's own that the matrix does not create: an allowed caller gets
# the route's own "not in your account" answer, everyone else a refusal.
OWN_ABSENT = {("DELETE", "/api/v1/me/passkeys/{credential_id}"): "passkey-not-found",
              ("DELETE", "/api/v1/me/totp"): "totp-not-found",
              # Called before the PUT that sets it up: the town has no provider yet.
              ("DELETE", "/api/v1/town/federation"): "keinen eigenen Anmeldedienst",
              ("GET", "/api/v1/town/federation"): "keinen eigenen Anmeldedienst"}


def api_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path template) of every API route, through included routers."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for route in routes:
            if isinstance(route, APIRoute):
                path = prefix + route.path
                if path.startswith("/api/") and route.include_in_schema:
                    yield from ((m, path) for m in sorted(route.methods))
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes,
                                prefix + route.include_context.prefix)

    return walk(app.router.routes, "")


def test_every_route_is_in_the_table(app: FastAPI) -> None:
    """A new endpoint must be given its callers here before anything else passes."""
    assert set(api_routes(app)) == set(ROUTES)


def _body(method: str, path: str, caller: str, logins: dict[str, dict[str, str]]) -> Any:
    if path.endswith("/admin-tokens"):
        return logins.get(caller, {"username": "niemand", "password": "falsch-falsch",
                                   "tenant": TOWN})
    bodies: dict[str, Any] = {
        "/api/v1/password-resets": {"tenant": TOWN, "email": "niemand@example.org"},
        "/api/v1/mail-links/redeem": {"token": "x" * 43},
        "/api/v1/operator/towns": {"id": f"t{uuid.uuid4().hex[:8]}", "name": "Stadt Neu",
                                   "state": "NRW", "ags": "05974040",
                                   "first_admin": {"email": "neu@example.org",
                                                   "name": "Erste Admin"}},
        "/api/v1/town/accounts": {"email": f"{uuid.uuid4().hex[:8]}@example.org",
                                  "name": "Neue Person", "town_roles": [],
                                  "body_roles": [{"body": "rat", "role": "member"}]},
        "/api/v1/town/settings": {"member_mfa_required": False},
        "/api/v1/town/federation": {"issuer": "https://login.example.org/realms/soest",
                                    "client_id": "ratsraum", "display_name": "Amt Soest"},
    }
    if method in ("PUT", "POST") and path.endswith("/roles"):
        return {"town_roles": [], "body_roles": [{"body": "rat", "role": "member"}]}
    if path.endswith("/person"):
        return {"person_id": None}
    return bodies.get(path) if method in ("POST", "PUT") else None


async def test_who_may_call_what(app: FastAPI, client: httpx.AsyncClient,
                                 person: PersonFactory) -> None:
    """Each caller reaches exactly the routes the table gives them; the rest refuse them."""
    ident = app.state.identity
    for tenant in (TOWN, OTHER):
        async with ident.db.transaction(None) as session:
            await ensure_tenant(session, tenant_id=tenant, name=f"Stadt {tenant.title()}",
                                staff_mfa_required=False)
    people = {
        "member": await person({TOWN: ["member"]}),
        "clerk": await person({TOWN: ["clerk"]}),
        "chair": await person({TOWN: ["member", "chair"]}),
        "admin": await person({TOWN: ["admin"]}),
        "other_admin": await person({OTHER: ["admin"]}),
    }
    target = await person({TOWN: ["member"]})
    op = await make_operator(ident)
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for caller in ("member", "clerk", "chair"):
        p = people[caller]
        tokens = await sign_in(client, username=p.username, password=p.password)
        headers[caller] = {"Authorization": f"Bearer {tokens['access_token']}"}
    headers["admin"] = await town_headers(client, tenant=TOWN, username=people["admin"].username,
                                          password=people["admin"].password, app=None)
    headers["other_admin"] = await town_headers(
        client, tenant=OTHER, username=people["other_admin"].username,
        password=people["other_admin"].password, app=None)
    headers["operator"] = await operator_headers(client, op)
    logins = {caller: {"username": people[caller].username,
                       "password": people[caller].password, "tenant": TOWN}
              for caller in ("member", "clerk", "chair", "admin", "other_admin")}
    # The next code after the one operator_headers used (a code works once, never an older one).
    logins["operator"] = {"username": op.username, "password": op.password, "otp": op.code()}

    wrong: list[str] = []
    for (method, template), allowed in sorted(ROUTES.items()):
        for caller in CALLERS:
            town_id = f"z{uuid.uuid4().hex[:8]}"
            async with ident.db.transaction(None) as session:
                await ensure_tenant(session, tenant_id=town_id, name="Stadt Probe")
            path = template.format(town_id=town_id, account_id=target.subject,
                                   credential_id="no-such-passkey")
            answer = await client.request(method, path, headers=headers[caller],
                                          json=_body(method, template, caller, logins))
            refused = answer.status_code in (401, 403, 404)
            absent = OWN_ABSENT.get((method, template))
            if absent and caller in allowed:
                refused = not (answer.status_code == 404 and absent in answer.text)
            if answer.status_code >= 500 or refused == (caller in allowed):
                wrong.append(f"{caller} {method} {template}: {answer.status_code}")
    assert wrong == []

    listing = await client.get("/api/v1/town/accounts", headers=headers["other_admin"])
    assert target.subject not in listing.text
    assert people["admin"].subject not in listing.text


# The pages of town admins (/admin) and operators (/operator): (method, path) -> who may use
# them with a page session. The sign-in forms are open to everyone.
SIGN_IN = frozenset(CALLERS)
TOWN_PAGE, OPERATOR_PAGE = frozenset({"admin", "other_admin"}), frozenset({"operator"})
PAGES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/admin"): SIGN_IN,  # a redirect to the account list
    ("GET", "/admin/sign-in"): SIGN_IN,
    ("POST", "/admin/sign-in"): SIGN_IN,
    ("POST", "/admin/sign-out"): SIGN_IN,
    ("GET", "/admin/accounts"): TOWN_PAGE,
    ("GET", "/admin/accounts/new"): TOWN_PAGE,
    ("POST", "/admin/accounts/new"): TOWN_PAGE,
    ("GET", "/admin/accounts/{account_id}"): ADMIN,
    ("POST", "/admin/accounts/{account_id}/{action}"): ADMIN,
    ("GET", "/admin/import"): TOWN_PAGE,
    ("POST", "/admin/import"): TOWN_PAGE,
    ("GET", "/admin/settings"): TOWN_PAGE,
    ("POST", "/admin/settings"): TOWN_PAGE,
    ("GET", "/admin/audit"): TOWN_PAGE,
    ("GET", "/operator"): SIGN_IN,
    ("GET", "/operator/sign-in"): SIGN_IN,
    ("POST", "/operator/sign-in"): SIGN_IN,
    ("POST", "/operator/sign-out"): SIGN_IN,
    ("GET", "/operator/towns"): OPERATOR_PAGE,
    ("POST", "/operator/towns"): OPERATOR_PAGE,
    ("GET", "/operator/towns/{town_id}/delete"): OPERATOR_PAGE,
    ("POST", "/operator/towns/{town_id}/{action}"): OPERATOR_PAGE,
}


# A person's own account pages (/account), with the access token of a sign-in through the
# login page in their cookie: everyone with an account in a town; the sign-in steps are open.
OWN_ACCOUNT = frozenset({"member", "admin", "other_admin"})
ACCOUNT_PAGES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/account"): SIGN_IN,
    ("GET", "/account/sign-in"): SIGN_IN,
    ("GET", "/account/callback"): SIGN_IN,
    ("POST", "/account/sign-out"): SIGN_IN,
    ("GET", "/account/link"): SIGN_IN,  # the mailed set-password or invitation link
    ("POST", "/account/link"): SIGN_IN,
    ("GET", "/account/passkeys"): OWN_ACCOUNT,
    ("POST", "/account/passkeys"): OWN_ACCOUNT,
    ("POST", "/account/passkeys/{credential_id}/rename"): OWN_ACCOUNT,
    ("POST", "/account/passkeys/{credential_id}/remove"): OWN_ACCOUNT,
}
# What an allowed caller gets without a passkey to act on: the page, or its own refusal.
ACCOUNT_ANSWERS = {("GET", "/account/passkeys"): (200, "Ihre Passkeys"),
                   ("POST", "/account/passkeys"): (400, "konnte nicht gespeichert"),
                   ("POST", "/account/passkeys/{credential_id}/rename"): (404, "gibt es in"),
                   ("POST", "/account/passkeys/{credential_id}/remove"): (404, "gibt es in")}


def page_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every page route under /admin, /operator and /account."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for route in routes:
            if isinstance(route, APIRoute):
                path = prefix + route.path
                if path.split("/")[1] in ("admin", "operator", "account"):
                    yield from ((m, path) for m in route.methods)
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes,
                                prefix + route.include_context.prefix)

    return set(walk(app.router.routes, ""))


def test_every_page_is_in_the_table(app: FastAPI) -> None:
    """A new page must be given its users here."""
    assert page_routes(app) == set(PAGES) | set(ACCOUNT_PAGES)


async def test_who_may_use_which_page(app: FastAPI, client: httpx.AsyncClient,
                                      person: PersonFactory) -> None:
    """With a page session (or a member's web token in its cookie), each caller reaches
    exactly the pages the table gives them; the rest are sent to sign in or refused."""
    from admin_pages_kit import page_sign_in

    from ratsraum_identity.api.admin_session import csrf_of

    ident = app.state.identity
    for tenant in (TOWN, OTHER):
        async with ident.db.transaction(None) as session:
            await ensure_tenant(session, tenant_id=tenant, name=f"Stadt {tenant.title()}",
                                staff_mfa_required=False)
    admin, other = await person({TOWN: ["admin"]}), await person({OTHER: ["admin"]})
    member = await person({TOWN: ["member"]})
    op = await make_operator(ident)
    cookies: dict[str, dict[str, str]] = {"anonymous": {}}
    for caller, who, tenant in (("admin", admin, TOWN), ("other_admin", other, OTHER)):
        answer = await page_sign_in(client, "town", username=who.username,
                                    password=who.password, tenant=tenant)
        cookies[caller] = {"ratsraum_admin": answer.cookies["ratsraum_admin"]}
    answer = await page_sign_in(client, "operator", username=op.username,
                                password=op.password, otp=op.code())
    cookies["operator"] = {"ratsraum_operator": answer.cookies["ratsraum_operator"]}
    web = await sign_in(client, username=member.username, password=member.password)
    cookies["member"] = {"ratsraum_admin": web["access_token"],
                         "ratsraum_operator": web["access_token"]}
    wrong: list[str] = []
    for (method, template), allowed in sorted(PAGES.items()):
        if allowed == SIGN_IN:
            continue
        for caller in ("anonymous", "member", "admin", "other_admin", "operator"):
            action = "roles" if template.startswith("/admin") else "resume"
            path = template.format(account_id=member.subject, town_id=TOWN, action=action)
            client.cookies.clear()
            for name, value in cookies[caller].items():
                client.cookies.set(name, value, path="/" + path.split("/")[1])
            token = next(iter(cookies[caller].values()), "")
            form = {"csrf_token": csrf_of(token), "body_0": "rat", "role_0": "member"}
            answer = await client.request(method, path,
                                          data=form if method == "POST" else None)
            signed_out = (answer.status_code == 303
                          and "/sign-in" in answer.headers.get("location", ""))
            refused = signed_out or answer.status_code in (403, 404)
            if answer.status_code >= 500 or refused == (caller in allowed):
                wrong.append(f"{caller} {method} {template}: {answer.status_code}")
    client.cookies.clear()
    assert wrong == []


async def test_who_may_use_the_account_pages(app: FastAPI, client: httpx.AsyncClient,
                                            person: PersonFactory) -> None:
    """Anyone with an account in a town reaches their own account pages with the token of
    their sign-in; nobody else (an operator's admin token, no cookie) gets past sign-in."""
    from ratsraum_identity.api.account_session import csrf_of

    ident = app.state.identity
    for tenant in (TOWN, OTHER):
        async with ident.db.transaction(None) as session:
            await ensure_tenant(session, tenant_id=tenant, name=f"Stadt {tenant.title()}",
                                staff_mfa_required=False)
    member, admin = await person({TOWN: ["member"]}), await person({TOWN: ["admin"]})
    other = await person({OTHER: ["admin"]})
    op = await make_operator(ident)
    tokens = {"anonymous": ""}
    for caller, who, tenant in (("member", member, TOWN), ("admin", admin, TOWN),
                                ("other_admin", other, OTHER)):
        web = await sign_in(client, username=who.username, password=who.password,
                            tenant=tenant)
        tokens[caller] = web["access_token"]
    tokens["operator"] = (await operator_headers(client, op))["Authorization"].split()[1]
    wrong: list[str] = []
    for (method, template), allowed in sorted(ACCOUNT_PAGES.items()):
        if allowed == SIGN_IN:
            continue
        for caller, token in tokens.items():
            client.cookies.clear()
            if token:
                client.cookies.set("ratsraum_account", token, path="/account")
            path = template.format(credential_id="no-such-passkey")
            form = {"csrf_token": csrf_of(token), "label": "Neu"}
            answer = await client.request(method, path,
                                          data=form if method == "POST" else None)
            location = answer.headers.get("location", "")
            if caller in allowed:
                status, text = ACCOUNT_ANSWERS[(method, template)]
                ok = answer.status_code == status and text in answer.text
            else:
                ok = answer.status_code == 303 and location.startswith("/authorize?")
            if not ok:
                wrong.append(f"{caller} {method} {template}: {answer.status_code}")
    client.cookies.clear()
    assert wrong == []
