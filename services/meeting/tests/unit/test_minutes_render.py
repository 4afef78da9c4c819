"""Rendering the minutes from plain data: markers the law asks for, and the public cut."""

from __future__ import annotations

from datetime import UTC, datetime

from ratsraum_meeting.minutes.content import (
    ItemMinutes,
    MinutesData,
    Participant,
    Signature,
    VoteLine,
)
from ratsraum_meeting.minutes.render import render_html, sha256_hex, with_hash_note


def _data() -> MinutesData:
    hands = VoteLine(poll_id="p1", method="open", show_of_hands=True,
                     result={"yes": 4, "no": 3, "abstain": 1, "outcome": "accepted",
                             "ballots_cast": 8, "roll_size": 9}, named_votes=[])
    return MinutesData(
        meeting_id="m", town_name="Stadt Soest", body_name="Rat", title="1. Sitzung",
        location="Rathaus", status="closed", starts_at=datetime(2026, 1, 13, 16, tzinfo=UTC),
        start_recorded=True, ends_at=datetime(2026, 1, 13, 18, 30, tzinfo=UTC),
        participants=[Participant("a", "Anna <b>Ä</b>", "CDU", "chair", "in_room", ""),
                      Participant("b", "Bernd", "SPD", "member", "absent", "krank")],
        items=[ItemMinutes("i1", "Ö 1", 1, "Haushalt", True, "decided", "Beschlossen.", "",
                           [hands], ["Carla Conflict"]),
               ItemMinutes("i2", "N 1", 2, "Grundstück Süd", False, "decided", "Verkauft.",
                           "vertraulich", [], [])],
        general="", disruptions="",
        signatures=[Signature("chair", "Anna", datetime(2026, 1, 20, 9, tzinfo=UTC)),
                    Signature("clerk", "", None)],
    )


def test_show_of_hands_conflicts_and_times_are_stated() -> None:
    html = render_html(_data(), draft=True)
    assert "per Handzeichen erfasst (Ersatzverfahren)" in html
    assert "Ja: 4, Nein: 3, Enthaltung: 1" in html
    assert "Wegen Befangenheit nicht beteiligt: Carla Conflict" in html
    assert "13.01.2026, 17:00 Uhr" in html
    assert "13.01.2026, 19:30 Uhr" in html
    assert "elektronisch unterzeichnet am 20.01.2026, 10:00 Uhr" in html
    assert "noch nicht unterzeichnet" in html
    assert "Anna &lt;b&gt;Ä&lt;/b&gt;" in html  # names are escaped, never markup


def test_the_public_cut_has_no_closed_part_and_no_reasons() -> None:
    html = render_html(_data(), draft=False, public_only=True)
    assert "Haushalt" in html
    assert "Grundstück Süd" not in html
    assert "vertraulich" not in html
    assert "Verkauft" not in html
    assert "krank" not in html
    assert "Bernd (SPD)" in html
    assert "Nichtöffentlicher Teil" not in html


def test_the_hash_note_names_the_digest_of_the_signed_html() -> None:
    html = render_html(_data(), draft=False)
    digest = sha256_hex(html)
    noted = with_hash_note(html, digest)
    assert digest in noted
    assert noted.endswith("</html>")
