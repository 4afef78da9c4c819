"""The meeting page's live public parts from a snapshot: names and stream only while the
public part runs, only https addresses, the presence words in the page language."""

from __future__ import annotations

from typing import Any

import pytest

from ratsraum_portal.meetings.schemas import meeting_view

STREAM = {"url": "https://stream.example.org/rat.m3u8", "refused_names": ["Jonas Weber"]}
PEOPLE = [{"name": "Anna Becker", "presence": "in_room"},
          {"name": "Jonas Weber", "presence": "remote"}]


def _snapshot(**fields: Any) -> dict[str, Any]:
    return {"id": "m1", "status": "running", "attendees": PEOPLE, "stream": STREAM, **fields}


def test_the_public_part_shows_names_presence_and_stream() -> None:
    view = meeting_view(_snapshot(), "en")
    assert view.live_public
    assert [(a.name, a.presence_label) for a in view.attendees] == [
        ("Anna Becker", "in the council chamber"), ("Jonas Weber", "joined by video")]
    assert view.stream is not None
    assert (view.stream.url, view.stream.refused_names) == (STREAM["url"], ["Jonas Weber"])


@pytest.mark.parametrize("fields", [{"closed_part": True}, {"status": "scheduled"},
                                    {"status": "closed"}])
def test_outside_the_public_part_nothing_live_is_shown(fields: dict[str, Any]) -> None:
    view = meeting_view(_snapshot(**fields))
    assert (view.live_public, view.attendees, view.stream) == (False, [], None)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://stream.example.org/a.m3u8",
                                 "//stream.example.org/a.m3u8", ""])
def test_only_an_https_stream_reaches_the_page(url: str) -> None:
    view = meeting_view(_snapshot(stream={"url": url, "captions_url": "data:text/vtt,x"}))
    assert view.stream is None
    captions = meeting_view(_snapshot(stream={**STREAM, "captions_url": "data:text/vtt,x"}))
    assert captions.stream is not None
    assert captions.stream.captions_url == ""
