"""German 404s, no 500 on bad input, and an accessibility smoke test of every page kind."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

Portal = Any  # the conftest's Portal
HTML = {"Accept": "text/html,application/xhtml+xml"}


class PageOutline(HTMLParser):
    """Collects what the smoke test checks: language, headings, landmarks, form labels."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.h1 = 0
        self.landmarks: set[str] = set()
        self.controls: list[tuple[dict[str, str | None], bool]] = []
        self.label_for: set[str] = set()
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        elif tag == "label":
            self._label_depth += 1
            if values.get("for"):
                self.label_for.add(str(values["for"]))
        elif tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.controls.append((values, self._label_depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1

    def unlabelled(self) -> list[dict[str, str | None]]:
        """Form controls with neither a <label for> nor a wrapping label nor aria-label."""
        return [c for c, wrapped in self.controls
                if not wrapped and c.get("id") not in self.label_for and not c.get("aria-label")]


def outline(html: str) -> PageOutline:
    """Parse a page."""
    parser = PageOutline()
    parser.feed(html)
    return parser


async def test_every_page_kind_passes_the_accessibility_smoke_test(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    pages = ["/", f"/{tenant}", f"/{tenant}?zeitraum=beendete",
             f"/{tenant}/sitzungen/{meeting.id}", f"/{tenant}/sitzungen/unbekannt"]
    seen_controls = 0
    for path in pages:
        response = await sqlite_portal.http.get(path, headers=HTML)
        assert response.headers["content-type"].startswith("text/html"), path
        page = outline(response.text)
        assert page.lang == "de", path
        assert page.h1 == 1, path
        assert {"header", "nav", "main", "footer"} <= page.landmarks, path
        assert page.unlabelled() == [], path
        seen_controls += len(page.controls)
    assert seen_controls > 0, "the town page's filter form should be checked"


async def test_town_filter_works_without_javascript(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    running = new_meeting(title="Haushaltsberatung")
    closed = new_meeting(title="Bebauungsplan Nord", status="closed")
    await publish(running, 1)
    await publish(closed, 1)
    await sqlite_portal.wait_for_meeting(tenant, closed.id)
    past = (await sqlite_portal.http.get(f"/{tenant}?zeitraum=beendete")).text
    assert "Bebauungsplan Nord" in past
    assert "Haushaltsberatung" not in past
    upcoming = (await sqlite_portal.http.get(f"/{tenant}?zeitraum=kommende")).text
    assert "Haushaltsberatung" in upcoming
    assert "Bebauungsplan Nord" not in upcoming
    anything = await sqlite_portal.http.get(f"/{tenant}?zeitraum=%00quatsch")
    assert anything.status_code == 200
    assert "Bebauungsplan Nord" in anything.text


@pytest.mark.parametrize("path", [
    "/unbekannte-stadt",
    "/{tenant}/sitzungen/gibt-es-nicht",
    "/{tenant}/sitzungen/..%2F..%2Fetc",
    "/{tenant}/sitzungen/" + "x" * 300,
    "/{tenant}/sitzungen/%C3%A4%F0%9F%98%80",
    "/GROSS/sitzungen/abc",
    "/{tenant}/gibt/es/nicht",
])
async def test_unknown_or_malformed_addresses_get_a_german_404_page(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str, path: str
) -> None:
    known = new_meeting()
    await publish(known, 1)
    await sqlite_portal.wait_for_meeting(tenant, known.id)
    response = await sqlite_portal.http.get(path.format(tenant=tenant), headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = outline(response.text)
    assert page.lang == "de"
    assert page.h1 == 1
    assert "nicht gefunden" in response.text


@pytest.mark.parametrize("path", [
    "/api/v1/unbekannte-stadt/meetings",
    "/api/v1/{tenant}/meetings/gibt-es-nicht",
    "/api/v1/{tenant}/meetings/%00%01",
    "/api/v1/Ungültig!/meetings/x",
])
async def test_api_404s_are_problem_json_even_for_browsers(
    sqlite_portal: Portal, tenant: str, path: str
) -> None:
    response = await sqlite_portal.http.get(path.format(tenant=tenant), headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["type"].endswith("/not-found")
    assert "Sitzung" in body["detail"] or "Kommune" in body["detail"]


async def test_readiness_ignores_meeting_being_down(sqlite_portal: Portal) -> None:
    ready = await sqlite_portal.http.get("/readyz")
    assert ready.status_code == 200
    assert set(ready.json()["checks"]) == {"database", "nats"}
