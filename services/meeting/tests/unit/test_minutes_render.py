"""Rendering the minutes from plain data: markers the law asks for, and the public cut."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ratsraum_meeting.minutes.content import (
    ItemMinutes,
    MinutesData,
    Participant,
    Signature,
    VoteLine,
)
from ratsraum_meeting.minutes.public import public_minutes
from ratsraum_meeting.minutes.record import AdmissionLine, ReportLine, StepLine
from ratsraum_meeting.minutes.render import render_html, sha256_hex, with_hash_note
from ratsraum_meeting.minutes.votes import OwnVote


def _data() -> MinutesData:
    hands = VoteLine(poll_id="p1", method="open", show_of_hands=True,
                     result={"yes": 4, "no": 3, "abstain": 1, "outcome": "accepted",
                             "ballots_cast": 8, "roll_size": 9}, named_votes=[])
    return MinutesData(
        meeting_id="m", town_name="Stadt Soest", body_name="Rat", title="1. Sitzung",
        location="Rathaus", status="closed", planned_start=datetime(2026, 1, 13, 16, tzinfo=UTC),
        started_at=datetime(2026, 1, 13, 16, tzinfo=UTC),
        ended_at=datetime(2026, 1, 13, 18, 30, tzinfo=UTC),
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


def test_the_public_event_names_who_took_part_by_person_but_never_why_not() -> None:
    event = public_minutes(data=_data(), tenant_id="soest", minutes_sha256="ab" * 32,
                           signed_at=datetime(2026, 1, 20, 9, tzinfo=UTC))
    assert [(p.person_id, p.presence) for p in event.participants] == [
        ("a", "in_room"), ("b", "absent")]
    assert "krank" not in str(event)
    assert [i.number for i in event.items] == ["Ö 1"]


def test_the_hash_note_names_the_digest_of_the_signed_html() -> None:
    html = render_html(_data(), draft=False)
    digest = sha256_hex(html)
    noted = with_hash_note(html, digest)
    assert digest in noted
    assert noted.endswith("</html>")


def _with_votes(*votes: VoteLine) -> MinutesData:
    data = _data()
    item = data.items[0]
    return replace(data, items=[replace(item, votes=list(votes)), data.items[1]])


def test_an_election_states_rounds_runoff_and_the_lot() -> None:
    counts = [{"option_id": "c-meier", "label": "Meier", "count": 2},
              {"option_id": "c-kaya", "label": "Kaya", "count": 2}]
    first = VoteLine(poll_id="e1", method="election", show_of_hands=False, named_votes=[],
                     result={"counts": counts, "ballots_cast": 4, "roll_size": 5,
                             "election": {"status": "runoff", "runoff": ["c-meier", "c-kaya"]}},
                     ordinal=1)
    runoff = VoteLine(poll_id="e2", method="election", show_of_hands=False, named_votes=[],
                      result={"counts": counts, "ballots_cast": 4, "roll_size": 5,
                              "election": {"status": "elected", "elected": "c-kaya",
                                           "lot_among": ["c-meier", "c-kaya"],
                                           "lot_drawn": ["c-kaya"], "lot_commitment": "ab12",
                                           "lot_seed": "cd34"}},
                      ordinal=2, runoff_of=1)
    html = render_html(_with_votes(first, runoff), draft=True)
    assert "Wahl – Meier: 2, Kaya: 2" in html
    assert "Stichwahl</span> zwischen Meier, Kaya" in html
    assert "Stichwahl nach der 1. Abstimmung" in html
    assert "Durch Los gewählt: Kaya</span> (Los unter Meier, Kaya" in html
    assert "ab12" in html
    assert "cd34" in html


def test_a_secret_poll_names_its_record_hash_and_own_votes_their_source() -> None:
    secret = VoteLine(poll_id="s1", method="secret", show_of_hands=False, named_votes=[],
                      result={"yes": 5, "no": 4, "outcome": "accepted",
                              "record_sha256": "f" * 64})
    open_vote = VoteLine(poll_id="o1", method="open", show_of_hands=False, named_votes=[],
                         result={"yes": 5, "no": 4, "outcome": "accepted"}, ordinal=2,
                         own_votes=[OwnVote("b", "Bernd", "no", "declared")])
    html = render_html(_with_votes(secret, open_vote), draft=True)
    assert "geheime Abstimmung – Ja: 5, Nein: 4" in html
    assert f"Prüfprotokoll der geheimen Abstimmung, SHA-256: {'f' * 64}" in html
    assert "Bernd: Nein (nach eigener Angabe)" in html


def test_the_public_cut_names_no_reporter_and_no_admissions() -> None:
    at = datetime(2026, 1, 13, 16, 30, tzinfo=UTC)
    data = replace(
        _data(),
        reports=[ReportLine("Bernd", "sound", "phone", at, at, False, "deadline", "privat")],
        steps=[StepLine("decision", at, "Server", "Anna", "town", 1,
                        [("Ö 1", True), ("N 1", False)])],
        admissions=[AdmissionLine("Bernd", at, "Clara Clerk")])
    full = render_html(data, draft=True)
    assert "Bernd meldete telefonisch den Ausfall von Ton" in full
    assert "nicht berücksichtigt</span> (nach Ablauf der Meldefrist)" in full
    assert "zu wiederholende Abstimmungen zu Ö 1, N 1" in full
    assert "Clara Clerk" in full
    public = render_html(data, draft=False, public_only=True)
    assert "Ein Mitglied meldete telefonisch" in public
    assert "privat" not in public
    assert "zu wiederholende Abstimmung zu Ö 1 –" in public
    assert "N 1" not in public
    assert "Clara Clerk" not in public
