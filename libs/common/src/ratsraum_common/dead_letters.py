"""Dead letters: list them, and replay them into their stream subject once their cause is fixed.

`python -m ratsraum_common.dead_letters --service meeting list` shows a service's dead letters;
`... replay EVENT_ID` or `... replay --all` publishes each pending one again on the subject it
came from and marks it replayed in the same transaction. A replay is published with its own
message id (the dead letter's key and when it died), so a replay repeated after a crash is
dropped by JetStream's duplicate window, and every consumer that already handled the event
skips it by its event id (the processed-events table): an event takes effect once at most.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.js import JetStreamContext
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase

from ratsraum_common.db import Database
from ratsraum_common.nats import DeadLetterRecord, connect
from ratsraum_common.natsauth import NatsOptions
from ratsraum_common.settings import ServiceSettings

MALFORMED_PREFIX = "malformed-"  # key of an event that could not be parsed: no replay helps
# --service: the service's own environment prefix and database name (its settings' defaults).
SERVICES = {"meeting": ("MEETING_", "meeting"), "portal": ("PORTAL_", "portal")}


class _Base(DeclarativeBase):
    pass


class DeadLetterRow(DeadLetterRecord, _Base):
    """The `dead_letters` table as every service that has one defines it."""


@dataclass(frozen=True, slots=True)
class DeadLetterView:
    """One dead letter as listed."""

    consumer: str
    event_id: str
    subject: str
    reason: str
    attempts: int
    dead_at: datetime
    replayed_at: datetime | None


def replay_msg_id(row: DeadLetterRecord) -> str:
    """The JetStream message id of this dead letter's replay (new once it dies again)."""
    dead_at = row.dead_at if row.dead_at.tzinfo else row.dead_at.replace(tzinfo=UTC)
    return f"replay:{row.consumer}:{row.event_id}:{dead_at.timestamp():.6f}"


async def list_dead_letters(
    *, db: Database, model: type[DeadLetterRecord] = DeadLetterRow, pending_only: bool = False
) -> list[DeadLetterView]:
    """The dead letters, oldest first (only those not replayed yet if `pending_only`)."""
    query = select(model).order_by(model.dead_at, model.consumer, model.event_id)
    if pending_only:
        query = query.where(model.replayed_at.is_(None))
    async with db.system_session() as session:
        rows = (await session.scalars(query)).all()
    return [DeadLetterView(consumer=r.consumer, event_id=r.event_id, subject=r.subject,
                           reason=r.reason, attempts=r.attempts, dead_at=r.dead_at,
                           replayed_at=r.replayed_at) for r in rows]


async def replay(
    *, db: Database, js: JetStreamContext, model: type[DeadLetterRecord] = DeadLetterRow,
    event_ids: Sequence[str] = (), consumer: str | None = None,
) -> list[DeadLetterView]:
    """Publish pending dead letters again (the named ones, or all) and mark them replayed.

    Rows are locked while they are published (PostgreSQL), so two operators replaying at
    once publish each dead letter once; malformed ones are never replayed.
    """
    query = select(model).where(model.replayed_at.is_(None),
                                ~model.event_id.startswith(MALFORMED_PREFIX))
    if event_ids:
        query = query.where(model.event_id.in_(list(event_ids)))
    if consumer:
        query = query.where(model.consumer == consumer)
    done: list[DeadLetterView] = []
    async with db.transaction(None) as session:
        rows = (await session.scalars(query.order_by(model.dead_at).with_for_update())).all()
        for row in rows:
            await js.publish(row.subject, bytes(row.body),
                             headers={"Nats-Msg-Id": replay_msg_id(row)})
            row.replayed_at = datetime.now(UTC)
            done.append(DeadLetterView(
                consumer=row.consumer, event_id=row.event_id, subject=row.subject,
                reason=row.reason, attempts=row.attempts, dead_at=row.dead_at,
                replayed_at=row.replayed_at))
    return done


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ratsraum_common.dead_letters",
        description="List a service's dead letters or replay them into their stream subject.")
    parser.add_argument("--service", choices=sorted(SERVICES), default="meeting",
                        help="whose dead letters: database and NATS from its environment")
    parser.add_argument("--database-url", help="instead of the service's database URL")
    parser.add_argument("--nats-url", help="instead of the service's NATS URL")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show dead letters (oldest first)")
    listing.add_argument("--pending", action="store_true", help="only those not replayed")
    again = commands.add_parser("replay", help="publish dead letters again, once each")
    again.add_argument("event_ids", nargs="*", metavar="EVENT_ID")
    again.add_argument("--all", action="store_true", help="every pending dead letter")
    again.add_argument("--consumer", help="only this consumer's dead letters")
    return parser


def _line(view: DeadLetterView) -> str:
    state = f"replayed {view.replayed_at.isoformat()}" if view.replayed_at else "pending"
    return (f"{view.dead_at.isoformat()}  {view.consumer}  {view.event_id}  {view.subject}  "
            f"attempts={view.attempts}  {state}  {view.reason}")


async def run(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "replay" and not args.all and not args.event_ids:
        print("replay: name EVENT_IDs or give --all", file=sys.stderr)
        return 2
    prefix, db_name = SERVICES[args.service]
    settings = ServiceSettings(_env_prefix=prefix)
    db = Database(args.database_url or settings.resolved_database_url(db_name))
    try:
        if args.command == "list":
            for view in await list_dead_letters(db=db, pending_only=args.pending):
                print(_line(view))
            return 0
        options: NatsOptions = settings.nats_options()
        nc = await connect(args.nats_url or settings.nats_url, name="ratsraum-dead-letters",
                           options=options)
        try:
            done = await replay(db=db, js=nc.jetstream(), event_ids=args.event_ids,
                                consumer=args.consumer)
        finally:
            await nc.drain()
        for view in done:
            print(_line(view))
        missing = set(args.event_ids) - {v.event_id for v in done}
        for event_id in sorted(missing):
            print(f"not replayed (unknown, malformed or replayed already): {event_id}",
                  file=sys.stderr)
        return 1 if missing else 0
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m ratsraum_common.dead_letters`."""
    raise SystemExit(asyncio.run(run(argv)))


if __name__ == "__main__":
    main()
