"""A citizen's link on the portal: the request form, the room for people without internet,
the limit per network, and the refusal the moment the closed part begins (meeting untouched)."""

from __future__ import annotations

from typing import Any

from ratsraum_devstack.ports import free_port

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
HTML = {"Accept": "text/html"}


async def test_the_page_offers_a_link_names_the_room_and_promises_erasure(
    start_portal: Any, sqlite_url: str, unreachable_meeting: str, publish: Any,
    new_meeting: Any, tenant: str,
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with start_portal(sqlite_url, unreachable_meeting, meeting_http_url=nowhere,
                            citizen_link_network_limit=1) as portal:
        running = new_meeting(citizen_room="Rathaus, Raum 104")
        await publish(running, 1)
        await portal.wait_for_meeting(tenant, running.id)
        base = f"/{tenant}/sitzungen/{running.id}"
        page = (await portal.http.get(base, headers=HTML)).text
        assert f'action="{base}/zugang"' in page
        assert 'id="citizen-room"' in page
        assert "Rathaus, Raum 104" in page
        assert "nach der Sitzung gelöscht" in page
        assert "Bild- und Tonaufnahmen der Sitzung sind nicht erlaubt" in page

        # Opening the confirmation link shows a button; nothing is confirmed by a GET.
        form = await portal.http.get(f"{base}/zugang/bestaetigen?token=abc", headers=HTML)
        assert form.status_code == 200
        assert f'action="{base}/zugang/bestaetigen"' in form.text
        # Meeting is away: the citizen gets a page saying so, not a server error.
        first = await portal.http.post(f"{base}/zugang", data={"email": "anna@example.org"})
        assert first.status_code == 503
        assert 'data-reason="failed"' in first.text
        # The allowance of this network (one request here) is used up, whatever the address.
        second = await portal.http.post(f"{base}/zugang", data={"email": "bert@example.org"})
        assert second.status_code == 429
        assert "Aus Ihrem Netz wurden zu viele Links angefordert" in second.text
        bad = await portal.http.post(f"{base}/zugang", data={"email": "kein-mail"})
        assert bad.status_code == 422


async def test_the_link_stops_working_when_the_closed_part_begins(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    running = new_meeting()
    await publish(running, 1)
    await sqlite_portal.wait_for_meeting(tenant, running.id)
    base = f"/{tenant}/sitzungen/{running.id}"
    before = await sqlite_portal.http.get(f"{base}/zugang?token=some-token", headers=HTML)
    assert before.status_code == 200
    assert 'id="recording-ban"' in before.text
    assert f'action="{base}/zugang/beitreten"' in before.text

    closed = new_meeting(running.id, closed_part=True, current_item_id="")
    await publish(closed, 2)
    await sqlite_portal.wait_for_meeting(tenant, running.id, lambda m: m.get("closed_part"))
    page = await sqlite_portal.http.get(f"{base}/zugang?token=some-token", headers=HTML)
    assert page.status_code == 409
    assert 'data-reason="closed_part"' in page.text
    assert "nicht öffentlichen Teil" in page.text
    # A join form opened earlier is refused too, before meeting is asked.
    late = await sqlite_portal.http.post(f"{base}/zugang/beitreten",
                                         data={"token": "some-token"})
    assert late.status_code == 409
    meeting_page = (await sqlite_portal.http.get(base, headers=HTML)).text
    assert 'id="access-closed-part"' in meeting_page
    assert f'action="{base}/zugang"' not in meeting_page
