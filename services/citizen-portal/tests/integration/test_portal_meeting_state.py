"""The meeting page says where the session stands: not yet opened, the item under way, ended."""

from __future__ import annotations

from typing import Any

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
HTML = {"Accept": "text/html"}


def _shown(html: str) -> str:
    """The page without the texts embedded for the live script (data, not shown)."""
    start = html.find('<script type="application/json" id="live-texts">')
    return html if start < 0 else html[:start] + html[html.index("</script>", start) + 9:]


def _item(page: str, item_id: str) -> str:
    return page.split(f'id="top-{item_id}"')[1].split("</li>")[0]


async def test_before_during_and_after_the_session(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    planned = new_meeting(status="scheduled", present=0, quorate=False,
                          current_item_id="item-2")
    await publish(planned, 1)
    await sqlite_portal.wait_for_meeting(tenant, planned.id)
    page = (await sqlite_portal.http.get(f"/{tenant}/sitzungen/{planned.id}",
                                         headers=HTML)).text
    page = _shown(page)
    assert "Sitzung noch nicht eröffnet" in page
    assert "beschlussfähig" not in page
    assert "Wird gerade beraten" not in page

    running = new_meeting(planned.id, status="running", current_item_id="item-2")
    await publish(running, 2)
    await sqlite_portal.wait_for_meeting(tenant, planned.id,
                                         lambda m: m["status"] == "running")
    page = (await sqlite_portal.http.get(f"/{tenant}/sitzungen/{planned.id}",
                                         headers=HTML)).text
    page = _shown(page)
    assert "11 von 11 Mitgliedern anwesend – beschlussfähig" in page
    current = _item(page, "item-2")
    assert "rr-agenda-item--current" in current
    assert 'aria-current="step"' in current
    assert "Wird gerade beraten" in current
    assert "Wird gerade beraten" not in _item(page, "item-1")
    stored = (await sqlite_portal.http.get(f"/api/v1/{tenant}/meetings/{planned.id}")).json()
    assert stored["current_item_id"] == "item-2"

    ended = new_meeting(planned.id, status="closed", present=0, quorate=False)
    await publish(ended, 3)
    await sqlite_portal.wait_for_meeting(tenant, planned.id, lambda m: m["status"] == "closed")
    page = (await sqlite_portal.http.get(f"/{tenant}/sitzungen/{planned.id}",
                                         headers=HTML)).text
    page = _shown(page)
    assert "Sitzung beendet" in page
    assert "nicht beschlussfähig" not in page
    assert "Wird gerade beraten" not in page
