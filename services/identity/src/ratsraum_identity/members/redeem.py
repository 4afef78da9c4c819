"""What a person does with a mailed link: accept an invitation, set a new password; and
asking for a reset link without learning whether an address has an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_identity.accounts.models import Tenant, User
from ratsraum_identity.accounts.passwords import Passwords
from ratsraum_identity.admin_errors import Invalid
from ratsraum_identity.members import links
from ratsraum_identity.members.models import TownMember
from ratsraum_identity.members.service import NO_PASSWORD, revoke_tokens

MIN_PASSWORD = 12
LINK_INVALID = Msg("Dieser Link ist ungültig, abgelaufen oder wurde schon benutzt. Bitte "
                   "fordern Sie einen neuen an.",
                   "This link is invalid, expired or was used already. Please ask for a new one.")
WEAK_PASSWORD = Msg("Das Passwort muss mindestens 12 Zeichen lang sein und darf nicht die "
                    "E-Mail-Adresse sein.",
                    "The password must be at least 12 characters long and not the e-mail address.")


@dataclass(frozen=True, slots=True)
class Redeemed:
    """A used link: whose, which town, what for."""

    user_id: str
    tenant: str
    purpose: str


@dataclass(frozen=True, slots=True)
class ResetMail:
    """A reset link to send to an existing, active account."""

    email: str
    name: str
    town: str
    token: str
    expires_at: datetime
    user_id: str


def check_password(password: str, *, email: str | None) -> None:
    """Invalid unless the password is long enough and not the address."""
    if len(password) < MIN_PASSWORD or len(password) > 1024 or (
            email and password.strip().lower() == email):
        raise Invalid(WEAK_PASSWORD)


async def needs_password(db: Database, *, token: str) -> bool | None:
    """For the link page: None if the link is unusable; else whether a password must be set
    (a person invited who already has an account from another town keeps theirs)."""
    found = await links.peek(db, token=token)
    if found is None:
        return None
    async with db.system_session() as session:
        user = await session.get(User, found.user_id)
    return found.purpose == "reset" or user is None or user.password_hash == NO_PASSWORD


async def redeem(
    db: Database, *, token: str, password: str | None, passwords: Passwords
) -> Redeemed:
    """Use the link: set the password if given (or required) and activate the membership."""
    tenant = links.tenant_of(token)
    found = await links.peek(db, token=token) if tenant else None
    if tenant is None or found is None:
        raise Invalid(LINK_INVALID)
    async with db.system_session() as session:
        user = await session.get(User, found.user_id)
    must_set = found.purpose == "reset" or user is None or user.password_hash == NO_PASSWORD
    if must_set or password:
        check_password(password or "", email=user.email if user else None)
    new_hash = await passwords.hash_async(password) if (must_set or password) and password \
        else None
    async with db.transaction(tenant) as session:
        claimed = await links.claim(session, token=token, tenant=tenant)
        if claimed is None:
            raise Invalid(LINK_INVALID)
        member = await session.scalar(
            select(TownMember).where(TownMember.user_id == claimed.user_id))
        account = await session.get(User, claimed.user_id)
        if member is None or account is None or member.status == "deactivated":
            raise Invalid(LINK_INVALID)
        if new_hash is not None:
            account.password_hash = new_hash
        if claimed.purpose == "invite":
            member.status = "active"
        else:  # a new password ends the sessions made with the old one
            await revoke_tokens(session, user_id=claimed.user_id)
    return Redeemed(user_id=claimed.user_id, tenant=tenant, purpose=claimed.purpose)


async def reset_link(
    db: Database, *, tenant: str, email: str, lifetime: timedelta
) -> ResetMail | None:
    """A reset link if the address belongs to an active account of the active town, else None.

    The caller answers the same in both cases (no account enumeration).
    """
    async with db.transaction(tenant) as session:
        town = await session.get(Tenant, tenant)
        user = await session.scalar(select(User).where(User.email == email))
        if town is None or town.status != "active" or user is None \
                or user.password_hash == NO_PASSWORD:
            return None
        member = await session.scalar(select(TownMember).where(TownMember.user_id == user.id))
        if member is None or member.status != "active":
            return None
        token, expires = await links.issue(session, tenant=tenant, user_id=user.id,
                                           purpose="reset", lifetime=lifetime)
        return ResetMail(email=email, name=member.name or user.name, town=town.name,
                         token=token, expires_at=expires, user_id=user.id)
