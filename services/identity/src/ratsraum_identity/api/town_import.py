"""Bulk import of members from CSV (`POST /api/v1/town/accounts/import`, body text/csv)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel

from ratsraum_common.i18n import Msg
from ratsraum_identity.admin_errors import Invalid
from ratsraum_identity.api.admin_auth import Actor, TownAdminActor
from ratsraum_identity.api.admin_common import record, send_invitation
from ratsraum_identity.api.deps import Identity, identity
from ratsraum_identity.api.town_admin import InvitedOut, out, town_name
from ratsraum_identity.members.csv_import import import_members

router = APIRouter(prefix="/api/v1/town", tags=["town admin"])

NOT_UTF8 = Msg("Die Datei ist nicht in UTF-8 gespeichert (in Excel: „CSV UTF-8“ wählen).",
               "The file is not UTF-8 (in Excel choose 'CSV UTF-8').")


class ImportOut(BaseModel):
    """The invited accounts, one per line, and how their mails went."""

    imported: int
    accounts: list[InvitedOut]


@router.post("/accounts/import", response_model=ImportOut, status_code=201,
             openapi_extra={"requestBody": {"content": {"text/csv": {
                 "schema": {"type": "string"}}}, "required": True}})
async def import_accounts(request: Request, actor: TownAdminActor) -> ImportOut:
    """Invite every person of a CSV file; a faulty line imports nothing (per-line errors)."""
    ident = identity(request)
    assert actor.tenant
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(NOT_UTF8) from exc
    return await import_text(ident, actor, text)


async def import_text(ident: Identity, actor: Actor, text: str) -> ImportOut:
    """Invite every person of the CSV text, mail them and record it (ImportRejected if any
    line is faulty); shared by the API and the admin page."""
    assert actor.tenant
    invitations = await import_members(
        ident.db, tenant=actor.tenant, text=text,
        lifetime=timedelta(hours=ident.settings.invitation_lifetime_hours))
    town = await town_name(ident, actor.tenant)
    accounts: list[InvitedOut] = []
    for invitation in invitations:
        mail = await send_invitation(ident, invitation, town=town)
        accounts.append(InvitedOut(**out(invitation.account).model_dump(), mail=mail))
    await record(ident, actor, "accounts.imported", tenant=actor.tenant,
                 accounts=[a.id for a in accounts],
                 mails={m: sum(a.mail == m for a in accounts)
                        for m in ("sent", "not_sent", "failed")})
    return ImportOut(imported=len(accounts), accounts=accounts)
