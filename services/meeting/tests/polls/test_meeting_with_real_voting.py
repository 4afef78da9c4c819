"""Meeting against the real voting service."""

from __future__ import annotations

import asyncio
import uuid

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def test_a_vote_through_real_voting(start_meeting, voting_target, issuer) -> None:
    meeting = await start_meeting(voting_target)
    clerk = issuer.person("schulte")  # the chair runs it
    await meeting.open_and_attend(clerk, present=7)
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "roll_call"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    poll_id = opened.json()["id"]
    assert opened.json()["roll_size"] == 7
    url = f"/api/v1/polls/{poll_id}/ballots"
    for person, choice in zip(MEMBERS[:5], ["yes", "yes", "no", "abstain", "yes"], strict=True):
        key = {"Idempotency-Key": uuid.uuid4().hex}
        cast = await meeting.client.post(url, json={"choice": choice},
                                         headers={**issuer.person(person.username), **key})
        assert cast.status_code == 201, cast.text
        replay = await meeting.client.post(url, json={"choice": choice},
                                           headers={**issuer.person(person.username), **key})
        assert replay.json()["replayed"] is True
    outsider = issuer.person(MEMBERS[9].username)
    refused = await meeting.client.post(url, json={"choice": "yes"},
                                        headers={**outsider, "Idempotency-Key": "k" * 10})
    assert refused.status_code == 403
    closed = await meeting.client.post(f"/api/v1/polls/{poll_id}/close", headers=clerk)
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    assert (result["yes"], result["no"], result["abstain"]) == (3, 1, 1)
    assert result["outcome"] == "accepted"
    assert len(result["named_votes"]) == 5
    # The poll.closed event from voting arrives too and must change nothing.
    await asyncio.sleep(0.5)
    again = (await meeting.client.get(f"/api/v1/polls/{poll_id}", headers=clerk)).json()
    assert again["result"] == result
