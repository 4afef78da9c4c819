"""The town admin's federation settings (`/api/v1/town/federation`): the town's own provider."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ratsraum_common.i18n import Msg
from ratsraum_identity.admin_errors import NotFound
from ratsraum_identity.api.admin_auth import TownAdminActor
from ratsraum_identity.api.admin_common import record
from ratsraum_identity.api.deps import identity
from ratsraum_identity.api.federation_login import callback_uri
from ratsraum_identity.federation import settings as federation
from ratsraum_identity.federation.settings import Federation

router = APIRouter(prefix="/api/v1/town", tags=["town admin"])

# No control characters (PostgreSQL refuses NUL in text; none belongs in these fields).
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"

NOT_FEDERATED = Msg("Diese Kommune hat keinen eigenen Anmeldedienst eingerichtet.",
                    "This town has not set up its own identity provider.")


class FederationIn(BaseModel):
    """The town's OpenID provider and how its people's accounts are found."""

    issuer: str = Field(min_length=8, max_length=500, pattern=PRINTABLE,
                        description="Issuer URL exactly as in the provider's discovery document")
    client_id: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)
    uses_client_secret: bool = Field(
        default=True, description="Authenticate with the secret the operator put in place "
                                  "(see client_secret_ref); false: public client with PKCE")
    claim: str = Field(default="email", min_length=1, max_length=64,
                       description="ID token claim naming the account, e.g. email, "
                                   "preferred_username, upn, sub")
    match_field: Literal["email", "username"] = Field(
        default="email", description="Account field the claim's value is compared with")
    display_name: str = Field(min_length=1, max_length=100, pattern=PRINTABLE,
                              description="Shown on the button: Mit <Name> anmelden")
    password_allowed: bool = Field(
        default=True, description="False: only the town admins keep password sign-in")


class FederationOut(FederationIn):
    """The settings, where the client secret is read from, and the URI to register."""

    redirect_uri: str
    client_secret_ref: str
    client_secret_present: bool


def _out(request: Request, saved: Federation) -> FederationOut:
    ident = identity(request)
    secrets_dir = ident.settings.federation_secrets_dir
    return FederationOut(
        issuer=saved.issuer, client_id=saved.client_id,
        uses_client_secret=saved.uses_client_secret, claim=saved.claim,
        match_field="email" if saved.match_field == "email" else "username",
        display_name=saved.display_name, password_allowed=saved.password_allowed,
        redirect_uri=callback_uri(ident),
        client_secret_ref=federation.secret_reference(saved.tenant, secrets_dir),
        client_secret_present=federation.client_secret(saved.tenant, secrets_dir) is not None)


@router.get("/federation", response_model=FederationOut)
async def get_federation(request: Request, actor: TownAdminActor) -> FederationOut:
    """The town's provider settings (404 when the town has none)."""
    assert actor.tenant
    saved = await federation.federation_of(identity(request).db, tenant=actor.tenant)
    if saved is None:
        raise NotFound(NOT_FEDERATED)
    return _out(request, saved)


@router.put("/federation", response_model=FederationOut)
async def put_federation(body: FederationIn, request: Request,
                         actor: TownAdminActor) -> FederationOut:
    """Set up or change the town's provider."""
    ident = identity(request)
    assert actor.tenant
    saved = await federation.save(ident.db, settings=Federation(
        tenant=actor.tenant, issuer=body.issuer, client_id=body.client_id,
        uses_client_secret=body.uses_client_secret,
        claim=body.claim, match_field=body.match_field, display_name=body.display_name.strip(),
        password_allowed=body.password_allowed),
        allow_http=ident.settings.federation_allow_http)
    await record(ident, actor, "town.federation_set", tenant=actor.tenant, issuer=saved.issuer,
                 client_id=saved.client_id, claim=saved.claim, match_field=saved.match_field,
                 password_allowed=saved.password_allowed)
    return _out(request, saved)


@router.delete("/federation", status_code=204)
async def delete_federation(request: Request, actor: TownAdminActor) -> Response:
    """Switch the town's provider off; password sign-in is allowed again."""
    ident = identity(request)
    assert actor.tenant
    if not await federation.remove(ident.db, tenant=actor.tenant):
        raise NotFound(NOT_FEDERATED)
    await record(ident, actor, "town.federation_removed", tenant=actor.tenant)
    return Response(status_code=204)
