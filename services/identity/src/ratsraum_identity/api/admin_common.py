"""Shared pieces of the admin APIs: problem JSON for domain errors, mailing links, audit."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ratsraum_common.i18n import negotiate_language
from ratsraum_common.problems import problem_response
from ratsraum_identity.accounts import audit
from ratsraum_identity.admin_errors import AdminError, ImportRejected
from ratsraum_identity.api.admin_auth import Actor
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.mail import LinkMail
from ratsraum_identity.members.service import Invitation


def install_admin_problems(app: FastAPI) -> None:
    """Answer refused admin actions with RFC 9457 problem JSON in the caller's language."""

    @app.exception_handler(AdminError)
    async def _refused(request: Request, exc: AdminError) -> JSONResponse:
        lang = negotiate_language(request.headers.get("accept-language"))
        extra = None
        if isinstance(exc, ImportRejected):
            extra = {"errors": [{"line": e.line, "field": e.field,
                                 "message": e.message.render(lang)} for e in exc.errors]}
        return problem_response(request, status=exc.status, code=exc.code,
                                detail=exc.detail.render(lang, **exc.values), extra=extra)


def link_url(ident: Identity, token: str) -> str:
    """The address a mailed link opens (identity's own page)."""
    return f"{ident.settings.issuer}/account/link?token={token}"


async def send_invitation(ident: Identity, invitation: Invitation, *, town: str) -> str:
    """Mail the invitation; "sent", "not_sent" or "failed"."""
    account = invitation.account
    if not account.email:
        return "not_sent"
    return await ident.mailer.send(LinkMail(
        purpose="invite_existing" if invitation.has_password else "invite",
        to_email=account.email, to_name=account.name, town=town,
        link=link_url(ident, invitation.token), expires_at=invitation.expires_at))


async def record(ident: Identity, actor: Actor, event: str, *, tenant: str | None,
                 **detail: Any) -> None:
    """An audit event of an admin action, naming who did it and how they are known."""
    await audit.record(ident.db, event=event, tenant=tenant, actor=actor.subject,
                       client=actor.client, actor_kind=actor.kind, **detail)
