"""Every page in German and English, the accessibility statement and the feedback form linked
from every page's footer, and a feedback form that stores messages and limits senders."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ratsraum_common.db import Database
from ratsraum_portal.feedback.models import FeedbackMessage

Portal = Any  # the conftest's Portal; fixtures cannot be imported in importlib mode
GERMAN = {"Accept": "text/html"}
ENGLISH = {"Accept": "text/html", "Cookie": "sprache=en"}


def _lang(page: str) -> str:
    match = re.search(r'<html lang="(\w+)">', page)
    assert match, "every page names its language"
    return match.group(1)


async def test_every_page_type_speaks_german_and_english(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    pages = {
        "/": ("Öffentliche Sitzungen", "Public meetings"),
        f"/{tenant}": ("öffentliche Sitzungen", "public meetings"),
        f"/{tenant}/sitzungen/{meeting.id}": ("Tagesordnung (öffentlicher Teil)",
                                              "Agenda (public part)"),
        "/barrierefreiheit": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
        "/rueckmeldung": ("Ihre Nachricht", "Your message"),
        "/gibt-es/nicht/hier": ("Seite nicht gefunden", "Page not found"),
    }
    for path, (german, english) in pages.items():
        de = await sqlite_portal.http.get(path, headers=GERMAN)
        en = await sqlite_portal.http.get(path, headers=ENGLISH)
        assert de.status_code == en.status_code, path
        assert (_lang(de.text), _lang(en.text)) == ("de", "en"), path
        assert german in de.text, path
        assert english not in de.text, path
        assert english in en.text, path
        for page in (de.text, en.text):
            assert 'href="/barrierefreiheit"' in page, path
            assert 'href="/rueckmeldung?seite=' in page, path
            assert "/sprache/" in page, path  # the language switch, a plain link
    browser = await sqlite_portal.http.get(
        "/", headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9,de;q=0.5"})
    assert _lang(browser.text) == "en"


async def test_the_language_switch_remembers_and_only_goes_back_home(
    sqlite_portal: Portal,
) -> None:
    switch = await sqlite_portal.http.get("/sprache/en?zurueck=%2Fbarrierefreiheit")
    assert switch.status_code == 303
    assert switch.headers["location"] == "/barrierefreiheit"
    assert "sprache=en" in switch.headers["set-cookie"]
    away = await sqlite_portal.http.get("/sprache/de?zurueck=%2F%2Fevil.example%2F")
    assert away.headers["location"] == "/"


async def test_feedback_is_stored_checked_and_rate_limited(
    start_portal: Any, sqlite_url: str, unreachable_meeting: str
) -> None:
    async with start_portal(sqlite_url, unreachable_meeting, feedback_limit=3) as portal:
        sent = await portal.http.post("/rueckmeldung", data={
            "nachricht": "Der Kontrast der Abstimmungsergebnisse ist zu schwach.",
            "email": "leser@example.org", "seite": "/soest"})
        assert sent.status_code == 303
        assert sent.headers["location"] == "/rueckmeldung?danke=1"
        thanks = await portal.http.get(sent.headers["location"], headers=GERMAN)
        assert "Vielen Dank" in thanks.text

        empty = await portal.http.post("/rueckmeldung", data={"nachricht": "  "},
                                       headers=GERMAN)
        assert empty.status_code == 422
        assert "Bitte schreiben Sie eine Nachricht." in empty.text
        bad_mail = await portal.http.post(
            "/rueckmeldung", data={"nachricht": "Hallo", "email": "kein-at"}, headers=ENGLISH)
        assert bad_mail.status_code == 422
        assert "The email address is not valid" in bad_mail.text
        assert 'value="kein-at"' in bad_mail.text  # what was typed stays in the form

        limited = await portal.http.post("/rueckmeldung", data={"nachricht": "Noch eine"})
        assert limited.status_code == 429

        db = Database(portal.settings.database())
        try:
            async with db.system_session() as session:
                stored = list((await session.scalars(select(FeedbackMessage))).all())
        finally:
            await db.dispose()
        assert [(m.message, m.email, m.page, m.lang) for m in stored] == [
            ("Der Kontrast der Abstimmungsergebnisse ist zu schwach.", "leser@example.org",
             "/soest", "de")]
