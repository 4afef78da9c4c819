"""Recording many members at once: one transaction, one public snapshot, one live push."""

from __future__ import annotations

from sqlalchemy import func, select

from ratsraum_common import demo
from ratsraum_meeting.base import OutboxMessage

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
MEMBERS = [p.subject for p in demo.PEOPLE if p.is_member]


async def _outbox(meeting) -> int:  # type: ignore[no-untyped-def]
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_bulk_records_everyone_with_one_snapshot(meeting, issuer) -> None:  # type: ignore[no-untyped-def]
    clerk = issuer.person("richter")
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    before = await _outbox(meeting)
    hub = meeting.app.state.live_hub
    async with hub.subscribe(demo.TENANT, demo.MEETING_ID) as queue:
        answer = await meeting.client.put(f"{BASE}/attendance", headers=clerk, json=[
            {"person_id": p, "presence": "in_room"} for p in MEMBERS])
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"recorded": len(MEMBERS), "changed": len(MEMBERS),
                                 "present": len(MEMBERS)}
        kinds = [queue.get_nowait().kind for _ in range(queue.qsize())]
    assert kinds == ["attendance", "quorum"]
    assert await _outbox(meeting) - before <= 1  # at most one snapshot (relay may have sent it)
    rows = (await meeting.client.get(f"{BASE}/attendance", headers=clerk)).json()
    assert {r["person_id"] for r in rows if r["presence"] == "in_room"} == set(MEMBERS)


async def test_bulk_is_all_or_nothing(meeting, issuer) -> None:  # type: ignore[no-untyped-def]
    clerk = issuer.person("richter")
    assert (await meeting.client.post(f"{BASE}/open", headers=clerk)).status_code == 200
    answer = await meeting.client.put(f"{BASE}/attendance", headers=clerk, json=[
        {"person_id": MEMBERS[0], "presence": "in_room"},
        {"person_id": "nobody", "presence": "in_room"}])
    assert answer.status_code == 404
    assert "nobody" in answer.text
    rows = (await meeting.client.get(f"{BASE}/attendance", headers=clerk)).json()
    assert all(r["presence"] == "absent" for r in rows)
    member = await meeting.client.put(f"{BASE}/attendance", headers=issuer.person("becker"),
                                      json=[])
    assert member.status_code == 403
