"""Casting forwards straight to voting (no poll read in meeting); refusals stay the same."""

from __future__ import annotations

import uuid

from ratsraum_common import demo

MEMBER = next(p for p in demo.PEOPLE if p.is_member)


async def test_cast_in_an_unknown_poll_is_a_404_problem(meeting, issuer) -> None:
    response = await meeting.client.post(
        f"/api/v1/polls/{uuid.uuid4()}/ballots", json={"choice": "yes"},
        headers={**issuer.person(MEMBER.username), "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 404
    body = response.json()
    assert body["type"].endswith("poll-not-found")
    assert response.headers["content-type"].startswith("application/problem+json")
