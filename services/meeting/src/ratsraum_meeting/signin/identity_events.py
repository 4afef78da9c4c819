"""Identity's events about ended access: end the web sessions, void the earlier tokens.

`account.deactivated` ends the account's sessions in meeting and voids its tokens issued
before; `town.suspended` and `town.deleted` end every session of the town and void all its
tokens until `town.resumed`. An event older than what is recorded changes nothing, so a late
redelivery cannot undo a newer state.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.identity.v1 import events_pb2
from ratsraum_common.consumer_guard import Refuse
from ratsraum_common.events import Envelope
from ratsraum_common.nats import AfterCommit, EventHandler
from ratsraum_meeting.signin.models import AccessRevocation, WebSession
from ratsraum_meeting.signin.revocations import TOWN, Revocation, Revocations

IDENTITY_CONSUMER = "meeting-identity"
IDENTITY_FILTER = "ratsraum.*.identity.>"


def _event(envelope: Envelope) -> str:
    return envelope.subject.split(".", 3)[3] if envelope.subject.count(".") >= 3 else ""


async def _record(session: AsyncSession, *, tenant: str, subject: str,
                  revocation: Revocation) -> Revocation:
    """Write the revocation unless a newer one is recorded; returns what now holds."""
    row = await session.get(AccessRevocation, (tenant, subject))
    if row is None:
        row = AccessRevocation(tenant_id=tenant, subject=subject)
        session.add(row)
    elif row.not_before_ms > revocation.not_before_ms:
        return Revocation(row.not_before_ms, row.blocked)
    row.not_before_ms = revocation.not_before_ms
    row.blocked = revocation.blocked
    row.changed_at = datetime.now(UTC)
    return revocation


def identity_event_handler() -> EventHandler:
    """Handle one of identity's events in the event's tenant session."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        tenant, event = envelope.tenant, _event(envelope)
        sessions = delete(WebSession).where(WebSession.tenant == tenant)
        if event == "account.deactivated":
            ended = envelope.payload(events_pb2.AccountDeactivated)
            if not ended.account_id:
                raise Refuse("account.deactivated without an account id")
            subject = ended.account_id
            revocation = Revocation(ended.not_before_ms)
            sessions = sessions.where(WebSession.subject == subject)
        elif event in ("town.suspended", "town.deleted", "town.resumed"):
            changed = envelope.payload(events_pb2.TownStatusChanged)
            subject = TOWN
            revocation = Revocation(changed.not_before_ms, blocked=event != "town.resumed")
        else:
            return  # identity's other events are not meeting's concern
        held = await _record(session, tenant=tenant, subject=subject, revocation=revocation)
        if held.blocked or event == "account.deactivated":
            await session.execute(sessions)

    return handle


def note_after_commit(revocations: Revocations) -> AfterCommit:
    """After commit: this replica refuses the voided tokens at once (others within seconds)."""

    async def after(_envelope: Envelope) -> None:
        await revocations.refresh()

    return after
