"""What a person reaches from a mail: the link page (set password, accept invitation), the
same as JSON, and asking for a password reset (always the same answer)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, EmailStr, Field

from ratsraum_common.db import TENANT_PATTERN
from ratsraum_identity.accounts import audit
from ratsraum_identity.admin_errors import AdminError
from ratsraum_identity.api.admin_common import link_url
from ratsraum_identity.api.client_address import limiter_key
from ratsraum_identity.api.deps import Identity, identity
from ratsraum_identity.mail import LinkMail
from ratsraum_identity.members import redeem as redeeming
from ratsraum_identity.members.rules import normal_email
from ratsraum_identity.web.pages import CSRF_FIELD, csrf_valid, link_page

router = APIRouter(tags=["account links"])

MISMATCH = "Die beiden Passwörter sind verschieden. / The two passwords differ."
CSRF_FAILED = "Das Formular ist abgelaufen; bitte erneut senden. / The form expired; send again."


class ResetRequest(BaseModel):
    """Ask for a reset link for this address in this town."""

    tenant: str = Field(pattern=TENANT_PATTERN.pattern)
    email: EmailStr


class ResetAccepted(BaseModel):
    """The same answer whether or not the address has an account."""

    detail: str


class RedeemIn(BaseModel):
    """A mailed link's token and the new password (not needed to accept an invitation for
    an existing account)."""

    token: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, max_length=1024)


class RedeemOut(BaseModel):
    """What the link did."""

    purpose: str
    tenant: str


RESET_ANSWER = ("Wenn die Adresse zu einem Konto dieser Kommune gehört, ist eine E-Mail mit "
                "einem Link unterwegs. / If the address belongs to an account of this town, "
                "a mail with a link is on its way.")


async def send_reset(ident: Identity, tenant: str, email: str, client: str) -> None:
    """Mail a reset link to the address if it has an account in the town; audit either way."""
    found = await redeeming.reset_link(
        ident.db, tenant=tenant, email=email,
        lifetime=timedelta(minutes=ident.settings.password_reset_lifetime_minutes))
    if found is None:
        await audit.record(ident.db, event="password_reset.unknown_address", tenant=tenant,
                           actor=None, client=client)
        return
    mail = await ident.mailer.send(LinkMail(
        purpose="reset", to_email=found.email, to_name=found.name, town=found.town,
        link=link_url(ident, found.token), expires_at=found.expires_at))
    await audit.record(ident.db, event="password_reset.requested", tenant=tenant,
                       actor=found.user_id, client=client, mail=mail)


@router.post("/api/v1/password-resets", response_model=ResetAccepted, status_code=202)
async def request_reset(body: ResetRequest, request: Request,
                        background: BackgroundTasks) -> ResetAccepted:
    """Mail a reset link if the address has an account; the answer never says whether."""
    ident = identity(request)
    client = ident.client_of(request)
    email = str(body.email).lower()
    key = limiter_key(client)
    # Each request counts like a failed login, so nobody floods a mailbox with links.
    if ident.reset_limiter.check(username=email, client=key) is None:
        ident.reset_limiter.failed(username=email, client=key)
        try:
            email = normal_email(email)
        except AdminError:
            return ResetAccepted(detail=RESET_ANSWER)
        # In the background, so the answer takes as long for unknown addresses.
        background.add_task(send_reset, ident, body.tenant, email, client)
    return ResetAccepted(detail=RESET_ANSWER)


async def _redeem(ident: Identity, request: Request, token: str,
                  password: str | None) -> redeeming.Redeemed:
    done = await redeeming.redeem(ident.db, token=token, password=password,
                                  passwords=ident.passwords)
    event = "invitation.accepted" if done.purpose == "invite" else "password_reset.completed"
    await audit.record(ident.db, event=event, tenant=done.tenant, actor=done.user_id,
                       client=ident.client_of(request))
    return done


@router.post("/api/v1/mail-links/redeem", response_model=RedeemOut)
async def redeem_link(body: RedeemIn, request: Request) -> RedeemOut:
    """Use a mailed link: accept the invitation or set the new password."""
    done = await _redeem(identity(request), request, body.token, body.password)
    return RedeemOut(purpose=done.purpose, tenant=done.tenant)


@router.get("/account/link", include_in_schema=False)
async def link_form(request: Request, token: str = "") -> HTMLResponse:
    """The page a mailed link opens."""
    ident = identity(request)
    needs = await redeeming.needs_password(ident.db, token=token[:200])
    if needs is None:
        return link_page(request, state="invalid", token="", needs_password=False,
                         secure_cookie=ident.settings.secure_cookies, status_code=400,
                         error=redeeming.LINK_INVALID.render("de") + " / "
                         + redeeming.LINK_INVALID.render("en"))
    return link_page(request, state="form", token=token, needs_password=needs,
                     secure_cookie=ident.settings.secure_cookies)


@router.post("/account/link", include_in_schema=False)
async def link_submit(request: Request) -> Response:
    """The link page's form: set the password / accept the invitation."""
    ident = identity(request)
    try:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    except Exception:  # a malformed body is the client's fault
        form = {}
    token = form.get("token", "")[:200]
    needs = await redeeming.needs_password(ident.db, token=token)
    secure = ident.settings.secure_cookies

    def page(state: str, error: str | None = None, status_code: int = 400) -> HTMLResponse:
        return link_page(request, state=state, token=token, needs_password=bool(needs),
                         secure_cookie=secure, error=error, status_code=status_code)

    if not csrf_valid(request, form.get(CSRF_FIELD)):
        return page("form", CSRF_FAILED)
    password = form.get("password") or None
    if needs and password != form.get("password2"):
        return page("form", MISMATCH)
    try:
        await _redeem(ident, request, token, password if needs else None)
    except AdminError as exc:
        return page("form" if needs is not None else "invalid",
                    f"{exc.detail.render('de')} / {exc.detail.render('en')}")
    return page("done", status_code=200)
