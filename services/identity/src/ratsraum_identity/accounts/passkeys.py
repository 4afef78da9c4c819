"""Passkeys (WebAuthn) through py_webauthn: registration, sign-in, challenges, counters.

Every ceremony starts with a random challenge stored here with an expiry; verifying takes it
out of the table in the same transaction, so a challenge (and the browser's answer to it)
works once. The relying party id and origin come from identity's public URL, never from the
request.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ratsraum_common.db import Database
from ratsraum_identity.accounts.passkey_models import PasskeyChallenge, PasskeyCredential

CHALLENGE_SECONDS = 300
MAX_RESPONSE_CHARS = 16_000
RP_NAME = "Ratsraum"


class PasskeyRefused(Exception):
    """The browser's answer did not prove a passkey of ours; the reason is for the log."""


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """Who we are to authenticators: a host name (from settings) and the origin of our pages."""

    rp_id: str
    origin: str


@dataclass(frozen=True, slots=True)
class Ceremony:
    """Options for navigator.credentials (JSON) and the id of their stored challenge."""

    challenge_id: str
    options_json: str


@dataclass(frozen=True, slots=True)
class UsedPasskey:
    """A passkey that just signed: whose, and what RFC 8176 calls its kind of key."""

    user_id: str
    credential_id: str
    method: str  # "hwk" (bound to the device) or "swk" (synced between devices)


async def _store(db: Database, *, challenge: bytes, purpose: str, user_id: str | None) -> str:
    challenge_id = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with db.transaction(None) as session:
        await session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < now))
        session.add(PasskeyChallenge(id=challenge_id, challenge=challenge, purpose=purpose,
                                     user_id=user_id,
                                     expires_at=now + timedelta(seconds=CHALLENGE_SECONDS)))
    return challenge_id


async def _take(db: Database, *, challenge_id: str, purpose: str,
                user_id: str | None) -> bytes:
    """The stored challenge, removed so it can never be used again."""
    if not challenge_id or len(challenge_id) > 64:
        raise PasskeyRefused("no_challenge")
    async with db.transaction(None) as session:
        row = await session.get(PasskeyChallenge, challenge_id)
        if row is None:
            raise PasskeyRefused("unknown_or_used_challenge")
        taken = await session.execute(
            delete(PasskeyChallenge).where(PasskeyChallenge.id == challenge_id))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise PasskeyRefused("unknown_or_used_challenge")
        expires_at = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(
            tzinfo=UTC)
        if expires_at < datetime.now(UTC):
            raise PasskeyRefused("expired_challenge")
        if row.purpose != purpose or row.user_id != user_id:
            raise PasskeyRefused("challenge_of_another_ceremony")
        return bytes(row.challenge)


def _parse(response: str) -> dict[str, Any]:
    if not response or len(response) > MAX_RESPONSE_CHARS:
        raise PasskeyRefused("no_response")
    try:
        parsed = json.loads(response)
    except ValueError:
        raise PasskeyRefused("malformed_response") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("id"), str):
        raise PasskeyRefused("malformed_response")
    return parsed


async def passkeys_of(db: Database, *, user_id: str) -> list[PasskeyCredential]:
    """The person's passkeys, oldest first."""
    async with db.system_session() as session:
        rows = await session.scalars(select(PasskeyCredential)
                                     .where(PasskeyCredential.user_id == user_id)
                                     .order_by(PasskeyCredential.created_at))
        return list(rows.all())


async def start_registration(db: Database, *, rp: RelyingParty, user_id: str, username: str,
                             name: str) -> Ceremony:
    """Options to create a discoverable passkey with user verification for this person."""
    existing = await passkeys_of(db, user_id=user_id)
    options = generate_registration_options(
        rp_id=rp.rp_id, rp_name=RP_NAME, user_id=user_id.encode(), user_name=username,
        user_display_name=name, timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_id_bytes(c.id))
                             for c in existing],
    )
    challenge_id = await _store(db, challenge=options.challenge, purpose="register",
                                user_id=user_id)
    return Ceremony(challenge_id=challenge_id, options_json=options_to_json(options))


async def finish_registration(db: Database, *, rp: RelyingParty, user_id: str,
                              challenge_id: str, response: str, label: str) -> str:
    """Verify the new passkey and keep it; returns its credential id."""
    expected = await _take(db, challenge_id=challenge_id, purpose="register", user_id=user_id)
    try:
        verified = verify_registration_response(
            credential=_parse(response), expected_challenge=expected, expected_rp_id=rp.rp_id,
            expected_origin=rp.origin, require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(f"registration_invalid: {error}") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    synced = verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
    async with db.transaction(None) as session:
        if await session.get(PasskeyCredential, credential_id) is not None:
            raise PasskeyRefused("credential_already_registered")
        session.add(PasskeyCredential(
            id=credential_id, user_id=user_id, public_key=verified.credential_public_key,
            sign_count=verified.sign_count, synced=synced, label=label[:100] or "Passkey",
            created_at=datetime.now(UTC)))
    return credential_id


async def start_sign_in(db: Database, *, rp: RelyingParty, user_id: str | None = None
                        ) -> Ceremony:
    """Options to sign with a passkey: any discoverable one (passwordless), or one of this
    person's (second factor)."""
    allowed = ([PublicKeyCredentialDescriptor(id=_id_bytes(c.id))
                for c in await passkeys_of(db, user_id=user_id)] if user_id else [])
    options = generate_authentication_options(
        rp_id=rp.rp_id, timeout=CHALLENGE_SECONDS * 1000, allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED)
    challenge_id = await _store(db, challenge=options.challenge, purpose="sign_in",
                                user_id=user_id)
    return Ceremony(challenge_id=challenge_id, options_json=options_to_json(options))


async def finish_sign_in(db: Database, *, rp: RelyingParty, challenge_id: str, response: str,
                         user_id: str | None = None) -> UsedPasskey:
    """Verify the signature with the stored key and move its counter on."""
    expected = await _take(db, challenge_id=challenge_id, purpose="sign_in", user_id=user_id)
    parsed = _parse(response)
    async with db.system_session() as session:
        credential = await session.get(PasskeyCredential, parsed["id"])
    if credential is None or (user_id is not None and credential.user_id != user_id):
        raise PasskeyRefused("unknown_credential")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=expected, expected_rp_id=rp.rp_id,
            expected_origin=rp.origin, credential_public_key=credential.public_key,
            credential_current_sign_count=credential.sign_count,
            require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(f"assertion_invalid: {error}") from None
    async with db.transaction(None) as session:
        moved = await session.execute(
            update(PasskeyCredential)
            .where(PasskeyCredential.id == credential.id,
                   PasskeyCredential.sign_count == credential.sign_count)
            .values(sign_count=verified.new_sign_count, last_used_at=datetime.now(UTC)))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise PasskeyRefused("counter_raced")  # two sign-ins with one counter value
    return UsedPasskey(user_id=credential.user_id, credential_id=credential.id,
                       method="swk" if credential.synced else "hwk")


async def remove(db: Database, *, user_id: str, credential_id: str) -> bool:
    """Remove one of the person's passkeys; False if they have no such passkey."""
    async with db.transaction(None) as session:
        gone = await session.execute(
            delete(PasskeyCredential).where(PasskeyCredential.id == credential_id,
                                            PasskeyCredential.user_id == user_id))
        return bool(gone.rowcount)  # type: ignore[attr-defined]


async def rename(db: Database, *, user_id: str, credential_id: str, label: str) -> bool:
    """Give one of the person's passkeys a new name; False if they have no such passkey."""
    async with db.transaction(None) as session:
        renamed = await session.execute(
            update(PasskeyCredential)
            .where(PasskeyCredential.id == credential_id, PasskeyCredential.user_id == user_id)
            .values(label=label[:100]))
        return bool(renamed.rowcount)  # type: ignore[attr-defined]


def _id_bytes(credential_id: str) -> bytes:
    return base64url_to_bytes(credential_id)
