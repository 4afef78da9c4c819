"""A burst of casts through meeting's API against the real voting service.

Concurrent casts travel together (CastBallots); every member must still get the answer a
lone cast would get, refusals included, and the tally must count each ballot exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from ratsraum_common import demo

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEM = demo.AGENDA[3]  # Ö 4
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def test_a_burst_of_casts_gets_every_answer_and_the_right_tally(
    start_meeting, voting_target, issuer
) -> None:
    meeting = await start_meeting(voting_target)
    clerk = issuer.person("schulte")
    await meeting.open_and_attend(clerk, present=8)
    opened = await meeting.client.post(f"{BASE}/agenda-items/{ITEM.id}/polls",
                                       json={"method": "roll_call"}, headers=clerk)
    assert opened.status_code == 201, opened.text
    url = f"/api/v1/polls/{opened.json()['id']}/ballots"
    present, absent = MEMBERS[:8], MEMBERS[8:]
    choices = dict(zip([p.subject for p in present[:6]],
                       ["yes", "yes", "no", "abstain", "yes", "no"], strict=True))
    keys = {p.subject: uuid.uuid4().hex for p in present}

    def cast(person: demo.DemoPerson, choice: str, key: str = "", poll_url: str = url) -> Any:
        return meeting.client.post(poll_url, json={"choice": choice}, headers={
            **issuer.person(person.username), "Idempotency-Key": key or uuid.uuid4().hex})

    burst = [cast(p, choices[p.subject], keys[p.subject]) for p in present[:6]]
    burst.append(cast(present[0], "yes", keys[present[0].subject]))  # a retry, concurrently
    burst.append(cast(present[6], "maybe"))                          # not an option
    burst += [cast(present[7], "yes", keys[present[7].subject]),     # one key, two choices
              cast(present[7], "no", keys[present[7].subject])]
    burst += [cast(p, "yes") for p in absent]                        # not on the roll
    burst.append(cast(present[1], "yes", poll_url=f"/api/v1/polls/{uuid.uuid4()}/ballots"))
    answers = await asyncio.gather(*burst)

    first, retry = answers[0], answers[6]
    assert sorted([first.status_code, retry.status_code]) == [200, 201]
    assert first.json()["ballot_id"] == retry.json()["ballot_id"]
    assert {r.json()["replayed"] for r in (first, retry)} == {False, True}
    for response in answers[1:6]:
        assert response.status_code == 201, response.text
        assert response.json()["replayed"] is False
        assert 1 <= response.json()["ballots_cast"] <= 7
    assert len({r.json()["ballot_id"] for r in answers[:6]}) == 6
    assert answers[7].status_code == 422
    assert answers[7].headers["content-type"].startswith("application/problem+json")
    same_key = sorted((r.status_code, i) for i, r in enumerate(answers[8:10]))
    assert [code for code, _i in same_key] == [201, 409]
    assert answers[8 + same_key[1][1]].json()["type"].endswith("idempotency-key-reused")
    kept = ["yes", "no"][same_key[0][1]]  # the choice of the cast that was accepted
    for response in answers[10:10 + len(absent)]:
        assert response.status_code == 403
        assert response.json()["type"].endswith("not-on-roll")
    assert answers[-1].status_code == 404

    closed = await meeting.client.post(f"/api/v1/polls/{opened.json()['id']}/close",
                                       headers=clerk)
    assert closed.status_code == 200, closed.text
    result = closed.json()["result"]
    named = {v["person_id"]: v["choice"] for v in result["named_votes"]}
    assert named == {**choices, present[7].subject: kept}
    expected = list(named.values())
    assert (result["yes"], result["no"], result["abstain"]) == (
        expected.count("yes"), expected.count("no"), expected.count("abstain"))
