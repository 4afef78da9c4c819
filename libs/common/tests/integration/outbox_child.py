"""Child process for the outbox crash test: commits a change with its event, then dies.

argv: database_url nats_url mode decision_id
mode "after_commit": SIGKILL right after the commit, before any publish.
mode "after_publish": publish to JetStream, then SIGKILL before marking the row published.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import nats

from ratsraum.voting.v1.voting_pb2 import GetPollRequest

sys.path.insert(0, os.path.dirname(__file__))

from outbox_models import Decision, OutboxMessage

from ratsraum_common.db import Database
from ratsraum_common.nats import ensure_stream
from ratsraum_common.outbox import OutboxRelay, add_event


async def main(database_url: str, nats_url: str, mode: str, decision_id: str) -> None:
    db = Database(database_url)
    async with db.transaction("soest") as session:
        session.add(Decision(id=decision_id, text="Antrag angenommen"))
        add_event(session, OutboxMessage, tenant="soest", service="test",
                  event_name="decision.made",
                  payload=GetPollRequest(tenant="soest", poll_id=decision_id))
    if mode == "after_commit":
        os.kill(os.getpid(), signal.SIGKILL)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js)
    relay = OutboxRelay(db=db, model=OutboxMessage, js=js)
    async with db.system_session() as session:
        row = (await session.scalars(__import__("sqlalchemy").select(OutboxMessage))).one()
    await relay._publish(row.id, row.subject, row.body, row.traceparent)
    await nc.flush()
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
