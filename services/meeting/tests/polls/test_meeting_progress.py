"""Live vote progress reaches the public coalesced: few snapshots, always the newest count."""

from __future__ import annotations

import asyncio
import json
import uuid

from nats.js.api import ConsumerConfig, DeliverPolicy

from ratsraum_common import demo
from ratsraum_common.nats import connect

SUBJECT = f"ratsraum.{demo.TENANT}.meeting.public.meeting.updated"
ITEM = next(i for i in demo.AGENDA if i.key == "o3")
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


def live_count(snapshot: dict) -> int | None:  # type: ignore[type-arg]
    item = next(i for i in snapshot["meeting"]["agenda"] if i["id"] == ITEM.id)
    live = item.get("live_vote")
    return int(live.get("ballots_cast", 0)) if live else None


async def test_a_burst_of_casts_publishes_the_final_count_in_few_snapshots(
    meeting, issuer, nats_url
) -> None:
    clerk = issuer.person("richter")
    await meeting.open_and_attend(clerk, present=11)
    base = f"/api/v1/meetings/{demo.MEETING_ID}"
    opened = await meeting.client.post(f"{base}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "open"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = opened.json()["id"]
    nc = await connect(nats_url, name="progress-test")
    try:
        sub = await nc.jetstream().subscribe(SUBJECT, config=ConsumerConfig(
            deliver_policy=DeliverPolicy.NEW))

        async def cast(person: demo.DemoPerson) -> int:
            response = await meeting.client.post(
                f"/api/v1/polls/{poll_id}/ballots", json={"choice": "yes"},
                headers={**issuer.person(person.username), "Idempotency-Key": uuid.uuid4().hex})
            return response.status_code

        assert set(await asyncio.gather(*(cast(p) for p in MEMBERS))) == {201}
        counts: list[int] = []
        while not counts or counts[-1] < len(MEMBERS):
            msg = await sub.next_msg(timeout=5)
            count = live_count(json.loads(msg.data)["data"])
            if count is not None:
                counts.append(count)
    finally:
        await nc.close()
    assert counts[-1] == len(MEMBERS)
    assert counts == sorted(counts)
    assert len(counts) < len(MEMBERS)  # coalesced, not one snapshot per ballot
