"""A town's federation settings: stored, checked, and the client secret found by reference."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_identity.admin_errors import Invalid
from ratsraum_identity.federation.models import FederationAttempt, TownFederation

CLAIM_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MATCH_FIELDS = ("email", "username")

NOT_HTTPS = Msg("Die Adresse des Anmeldedienstes muss mit https:// beginnen.",
                "The identity provider's address must start with https://.")
BAD_ISSUER = Msg("Die Adresse des Anmeldedienstes ist keine gültige URL ohne Query und Fragment.",
                 "The identity provider's address is not a valid URL without query and fragment.")
BAD_CLAIM = Msg("Der Claim „{claim}“ ist kein gültiger Claim-Name.",
                "The claim '{claim}' is not a valid claim name.")


@dataclass(frozen=True, slots=True)
class Federation:
    """A town's provider as identity uses it."""

    tenant: str
    issuer: str
    client_id: str
    uses_client_secret: bool
    claim: str
    match_field: str
    display_name: str
    password_allowed: bool


def check_issuer(issuer: str, *, allow_http: bool) -> str:
    """The issuer URL, refused unless https (or http where the operator allows it)."""
    try:
        parts = urlsplit(issuer)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise Invalid(BAD_ISSUER) from None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise Invalid(BAD_ISSUER)
    if parts.scheme != "https" and not allow_http:
        raise Invalid(NOT_HTTPS)
    return issuer


def secret_env_name(tenant: str) -> str:
    """The environment variable holding the town's client secret."""
    return "IDENTITY_FEDERATION_SECRET_" + re.sub(r"[^A-Z0-9]", "_", tenant.upper())


def secret_reference(tenant: str, secrets_dir: Path | None) -> str:
    """Where identity looks for the town's client secret (shown to the town admin)."""
    places = [f"env:{secret_env_name(tenant)}"]
    if secrets_dir is not None:
        places.append(f"file:{secrets_dir / tenant}")
    return " | ".join(places)


def client_secret(tenant: str, secrets_dir: Path | None) -> str | None:
    """The town's client secret from the environment or its file; None if neither has one.

    The places are derived from the town's id, never chosen by the town admin: a reference
    the admin could pick would let them send another town's secret to a provider of theirs.
    """
    value = os.environ.get(secret_env_name(tenant), "").strip()
    if value:
        return value
    if secrets_dir is not None:
        path = secrets_dir / tenant
        if path.is_file():
            return path.read_text(encoding="utf-8").strip() or None
    return None


def _of(row: TownFederation) -> Federation:
    return Federation(tenant=row.tenant_id, issuer=row.issuer, client_id=row.client_id,
                      uses_client_secret=row.uses_client_secret, claim=row.claim,
                      match_field=row.match_field, display_name=row.display_name,
                      password_allowed=row.password_allowed)


async def federation_of(db: Database, *, tenant: str) -> Federation | None:
    """The town's federation settings, if it has any."""
    async with db.tenant_session(tenant) as session:
        row = await session.scalar(select(TownFederation))
        return _of(row) if row else None


async def save(db: Database, *, settings: Federation, allow_http: bool) -> Federation:
    """Create or replace the town's federation settings after checking them."""
    check_issuer(settings.issuer, allow_http=allow_http)
    if not CLAIM_PATTERN.match(settings.claim):
        raise Invalid(BAD_CLAIM, claim=settings.claim[:64])
    if settings.match_field not in MATCH_FIELDS:
        raise Invalid(BAD_CLAIM, claim=settings.match_field[:64])
    async with db.transaction(settings.tenant) as session:
        row = await session.scalar(select(TownFederation))
        if row is None:
            row = TownFederation(tenant_id=settings.tenant)
            session.add(row)
        row.issuer, row.client_id = settings.issuer, settings.client_id
        row.uses_client_secret = settings.uses_client_secret
        row.claim, row.match_field = settings.claim, settings.match_field
        row.display_name, row.password_allowed = settings.display_name, settings.password_allowed
        row.updated_at = datetime.now(UTC)
    return settings


async def remove(db: Database, *, tenant: str) -> bool:
    """Switch federation off for the town; False if it was not on."""
    async with db.transaction(tenant) as session:
        gone = await session.execute(delete(TownFederation))
        await session.execute(delete(FederationAttempt))
    return bool(getattr(gone, "rowcount", 0))
