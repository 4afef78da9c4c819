"""What every page needs: the signed-in person, their town, navigation, the backend."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ratsraum_common.auth import TOWN_ROLES
from ratsraum_common.problems import Problem
from ratsraum_meeting.access import narrowed
from ratsraum_meeting.api.deps import body_cache, scoped_for
from ratsraum_meeting.meetings.models import Tenant
from ratsraum_meeting.signin.sessions import CSRF_FIELD, SessionAuth, SignedIn
from ratsraum_meeting.web.backend import ApiProblem, Backend
from ratsraum_meeting.web.render import error_page, language_of, page


@dataclass(frozen=True, slots=True)
class NavEntry:
    """One link of the main navigation and the roles that see it."""

    href: str
    label: str
    roles: frozenset[str]


# Role-aware navigation: the clerk console, chair view and hall display add entries here
# for their roles; a member never sees a link to a clerk's control.
NAVIGATION: list[NavEntry] = [
    NavEntry("/sitzungen", "nav.meetings",
             frozenset({"member", "deputy", "clerk", "chair", "vice_chair", "admin",
                        "operator"})),
]


def _admin_pages(request: Request, tenant: str) -> str:
    """The town admin's pages, which identity serves (signed in there on their own)."""
    auth: SessionAuth = request.app.state.signin
    return f"{auth.identity.issuer}/admin/sign-in?tenant={quote(tenant)}"


def _own_passkeys(request: Request, tenant: str) -> str:
    """The person's own passkey page, which identity serves (signed in there on its own)."""
    auth: SessionAuth = request.app.state.signin
    return f"{auth.identity.issuer}/account/passkeys?tenant={quote(tenant)}"


class NotSignedIn(Exception):
    """The page needs a sign-in; the handler answers with a redirect to /auth/login."""


@dataclass
class Ctx:
    """One page request of a signed-in person."""

    request: Request
    signed: SignedIn
    lang: str

    @property
    def subject(self) -> str:
        """The person's id (the same in identity and meeting)."""
        return self.signed.principal.subject

    def backend(self) -> Backend:
        """meeting's API as this person."""
        return Backend(self.request, self.signed, self.lang)

    def render(self, template: str, context: dict[str, Any], *,
               status_code: int = 200) -> HTMLResponse:
        """A page with navigation for this person's roles."""
        path = self.request.url.path
        roles = self.signed.principal.roles
        nav = [{"href": e.href, "label": e.label, "current": path.startswith(e.href)}
               for e in NAVIGATION if e.roles & roles]
        if "admin" in self.signed.principal.wide_roles:
            nav.append({"href": _admin_pages(self.request, self.signed.principal.tenant),
                        "label": "nav.admin", "current": False})
        nav.append({"href": _own_passkeys(self.request, self.signed.principal.tenant),
                    "label": "nav.passkeys", "current": False})
        return page(self.request, template, {"navigation": nav, **context},
                    signed=self.signed, status_code=status_code)

    def problem(self, exc: ApiProblem) -> HTMLResponse:
        """The API's refusal as a page."""
        reason = {404: "not_found", 403: "forbidden"}.get(exc.status, "api")
        return error_page(self.request, reason, status_code=exc.status, detail=exc.detail,
                          signed=self.signed)

    async def csrf_ok(self) -> bool:
        """The form's CSRF field matches the session and the origin is ours."""
        form = await self.request.form()
        submitted = form.get(CSRF_FIELD)
        auth: SessionAuth = self.request.app.state.signin
        return auth.csrf_ok(self.request, self.signed,
                            submitted if isinstance(submitted, str) else None)


async def ctx_of(request: Request) -> Ctx:
    """The signed-in person of this request, or NotSignedIn."""
    auth: SessionAuth = request.app.state.signin
    signed = await auth.signed_in(request)
    if signed is None:
        raise NotSignedIn
    db = request.app.state.db
    async with db.tenant_session(signed.principal.tenant) as session:
        town = await session.get(Tenant, signed.principal.tenant)
    request.state.town = town.name if town else signed.principal.tenant
    # The page sees the person's roles in the body of the meeting it shows (any body's on
    # pages about no meeting), as the API does: a clerk of one body gets no other's console.
    # The meeting decides; a poll or item in the path is checked by the API call itself.
    scope = {k: v for k, v in request.path_params.items() if k == "meeting_id"}
    try:
        principal, _body = await scoped_for(db, body_cache(request.app.state),
                                            signed.principal, scope)
    except Problem:  # no such meeting in this town: the API call answers it with a 404
        principal = narrowed(signed.principal, signed.principal.roles & TOWN_ROLES)
    return Ctx(request=request, signed=replace(signed, principal=principal),
               lang=language_of(request))


def to_login(request: Request) -> Response:
    """Send the browser to sign in, coming back to this very page."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/auth/login?next={quote(here, safe='')}", status_code=303)
