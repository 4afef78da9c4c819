"""Staff pages follow the roles per body: the chair of one committee gets no other's console."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from signin_kit import MEETING, WebStack

from ratsraum_common import demo
from ratsraum_meeting.meetings.models import Body, Meeting

OTHER_BODY = str(uuid.uuid4())
OTHER_MEETING = str(uuid.uuid4())


async def _second_body(web: WebStack) -> None:
    """A building committee of the same town with a meeting of its own (not the demo's)."""
    async with web.meeting.state.db.transaction(demo.TENANT) as session:
        session.add(Body(id=OTHER_BODY, name="Bauausschuss", short="BA", statutory_members=9))
        await session.flush()
        session.add(Meeting(id=OTHER_MEETING, body_id=OTHER_BODY, title="1. Sitzung BA",
                            starts_at=datetime.now(UTC) + timedelta(days=3)))


async def test_a_chair_sees_only_the_console_of_their_own_body(web: WebStack) -> None:
    await _second_body(web)
    browser = web.browser()
    page = await browser.sign_in("schulte", web.passwords["schulte"])
    token = browser.csrf(page.text)
    own = await browser.meeting.get(f"/sitzungen/{demo.MEETING_ID}/konsole",
                                    headers={"Accept": "text/html"})
    assert own.status_code == 200
    other = await browser.meeting.get(f"/sitzungen/{OTHER_MEETING}/konsole",
                                      headers={"Accept": "text/html"})
    assert other.status_code == 403
    opened = await browser.meeting.post(
        f"/sitzungen/{OTHER_MEETING}/konsole/eroeffnen", data={"csrf_token": token},
        headers={"Origin": MEETING, "Accept": "text/html"})
    assert opened.status_code == 403
    listed = await browser.meeting.get("/api/v1/meetings")
    assert [m["id"] for m in listed.json()] == [demo.MEETING_ID]
    api = await browser.meeting.get(f"/api/v1/meetings/{OTHER_MEETING}/agenda")
    assert api.status_code == 403
    assert "Gremium" in api.json()["detail"]
