"""Voting's outbox table and the events it publishes (payloads from events.proto)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum.voting.v1 import events_pb2, voting_pb2
from ratsraum_common.outbox import OutboxRecord, add_event
from ratsraum_voting.db import Base

SERVICE = "voting"
POLL_OPENED = "poll.opened"
POLL_CLOSED = "poll.closed"
POLL_CANCELLED = "poll.cancelled"
POLL_PUBLISHED = "poll.published"
LOT_DRAWN = "poll.lot_drawn"


class OutboxMessage(OutboxRecord, Base):
    """Events written in the same transaction as the change, published by the relay."""


def emit_poll_opened(session: AsyncSession, *, poll: voting_pb2.Poll) -> str:
    """Stage `poll.opened` in the session's transaction; returns the event id."""
    return add_event(
        session, OutboxMessage, tenant=poll.tenant, service=SERVICE, event_name=POLL_OPENED,
        payload=events_pb2.PollOpened(poll=poll),
    )


def emit_poll_closed(session: AsyncSession, *, poll: voting_pb2.Poll) -> str:
    """Stage `poll.closed` (with the result) in the session's transaction."""
    return add_event(
        session, OutboxMessage, tenant=poll.tenant, service=SERVICE, event_name=POLL_CLOSED,
        payload=events_pb2.PollClosed(poll=poll),
    )


def emit_poll_cancelled(session: AsyncSession, *, poll: voting_pb2.Poll) -> str:
    """Stage `poll.cancelled` (withdrawn with a reason, or void because it is re-run)."""
    return add_event(
        session, OutboxMessage, tenant=poll.tenant, service=SERVICE, event_name=POLL_CANCELLED,
        payload=events_pb2.PollCancelled(poll=poll),
    )


def emit_poll_published(session: AsyncSession, *, poll: voting_pb2.Poll) -> str:
    """Stage `poll.published` (the result with the signed audit head)."""
    return add_event(
        session, OutboxMessage, tenant=poll.tenant, service=SERVICE, event_name=POLL_PUBLISHED,
        payload=events_pb2.PollPublished(poll=poll),
    )


def emit_lot_drawn(session: AsyncSession, *, poll: voting_pb2.Poll) -> str:
    """Stage `poll.lot_drawn` (commitment, revealed seed and drawn candidates)."""
    return add_event(
        session, OutboxMessage, tenant=poll.tenant, service=SERVICE, event_name=LOT_DRAWN,
        payload=events_pb2.LotDrawn(poll=poll),
    )
