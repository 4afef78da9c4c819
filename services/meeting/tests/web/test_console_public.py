"""The clerk console's public tab: the clerk sets the livestream and who refused to be
streamed with a plain form, sees the citizens' links (addresses masked) and revokes one."""

from __future__ import annotations

from signin_kit import WebStack, post, signed_in

from ratsraum_common import demo
from ratsraum_meeting.citizen_links import service as links
from ratsraum_meeting.meetings.models import Meeting
from ratsraum_meeting.timeutil import now

M = f"/sitzungen/{demo.MEETING_ID}"
API = f"/api/v1/meetings/{demo.MEETING_ID}"
PAGE = f"{M}/konsole/oeffentlichkeit"
URL = "https://stream.soest.example/rat/live.m3u8"
MEMBERS = [p for p in demo.PEOPLE if p.is_member]


async def _citizen_asks(web: WebStack, email: str) -> None:
    async with web.meeting.state.db.transaction(demo.TENANT) as session:
        meeting = await session.get(Meeting, demo.MEETING_ID)
        await links.request_link(session, meeting=meeting, email=email,
                                 client_address="203.0.113.7", at=now(), per_address=5,
                                 per_network=50)


async def test_the_clerk_sets_the_stream_and_revokes_a_citizens_link(web: WebStack) -> None:
    clerk, token = await signed_in(web, "richter")
    empty = await clerk.meeting.get(PAGE)
    assert empty.status_code == 200, empty.text
    assert 'href="' + PAGE + '"' in empty.text
    assert "Bisher hat niemand einen Zugangslink angefordert." in empty.text

    # A plain http address is refused in the form, with the field named.
    status, _loc, body = await post(clerk, f"{PAGE}/stream", token, back="public",
                                    stream_url="http://stream.soest.example/live.m3u8")
    assert status == 422, body
    assert "Bitte geben Sie eine Adresse an, die mit https:// beginnt." in body
    assert 'href="#stream-url"' in body

    status, location, body = await post(clerk, f"{PAGE}/stream", token, back="public",
                                        stream_url=URL, captions_url="",
                                        refused=[MEMBERS[2].subject, MEMBERS[4].subject])
    assert (status, location) == (303, f"{PAGE}?ok=console.public.ok.stream"), body
    stream = (await clerk.meeting.get(f"{API}/stream")).json()
    assert stream["url"] == URL
    assert {r["person_id"] for r in stream["refused"]} == {MEMBERS[2].subject,
                                                           MEMBERS[4].subject}
    # The confirmation the redirect names is shown on the tab.
    assert "Der Livestream ist gespeichert." in (await clerk.meeting.get(location)).text
    page = (await clerk.meeting.get(PAGE)).text
    chosen = MEMBERS[2].subject
    assert f'id="refused-{chosen}" name="refused" value="{chosen}" checked' in page
    assert f'value="{URL}"' in page

    await _citizen_asks(web, "anna.buerger@example.org")
    listed = (await clerk.meeting.get(PAGE)).text
    assert "anna.buerger@example.org" not in listed  # masked, as the API gives it
    [row] = (await clerk.meeting.get(f"{API}/citizen-links")).json()
    assert row["email"] in listed
    status, location, _body = await post(clerk, f"{PAGE}/zugang/{row['id']}/widerrufen", token,
                                         back="public")
    assert (status, location) == (303, f"{PAGE}?ok=console.public.ok.revoked")
    [after] = (await clerk.meeting.get(f"{API}/citizen-links")).json()
    assert after["state"] == "revoked"
    assert f'data-citizen-link="{row["id"]}" data-state="revoked"' in (
        await clerk.meeting.get(PAGE)).text

    # A member of the body has no such tab.
    member, _member_token = await signed_in(web, "becker")
    assert (await member.meeting.get(PAGE)).status_code == 403
