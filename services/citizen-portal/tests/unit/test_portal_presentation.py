"""German wording and Berlin time of what pages show."""

from __future__ import annotations

from datetime import UTC, datetime

from ratsraum_portal.meetings.schemas import (
    german_datetime,
    meeting_view,
    parse_timestamp,
    result_summary,
    vote_progress,
)


def test_dates_are_berlin_time_in_german_across_daylight_saving() -> None:
    assert german_datetime(datetime(2025, 11, 25, 17, 0, tzinfo=UTC)) == (
        "Dienstag, 25. November 2025, 18:00 Uhr"
    )
    assert german_datetime(datetime(2025, 3, 31, 16, 30, tzinfo=UTC)) == (
        "Montag, 31. März 2025, 18:30 Uhr"
    )
    assert german_datetime(None) == ""


def test_proto_timestamps_parse_and_garbage_does_not() -> None:
    assert parse_timestamp("2025-11-25T17:00:00Z") == datetime(2025, 11, 25, 17, tzinfo=UTC)
    assert parse_timestamp("gestern") is None
    assert parse_timestamp(12) is None


def test_vote_texts() -> None:
    assert vote_progress({"ballots_cast": 7, "roll_size": 11}) == "7 von 11 Stimmen abgegeben"
    # proto JSON leaves out zero counts
    assert result_summary({"outcome": "accepted", "yes": 6, "no": 3, "abstain": 2}) == (
        "Angenommen – Ja 6, Nein 3, Enthaltung 2"
    )
    assert result_summary({"outcome": "rejected", "yes": 5, "no": 5}) == (
        "Abgelehnt – Ja 5, Nein 5, Enthaltung 0"
    )


def test_meeting_view_orders_agenda_and_names_roll_call_votes() -> None:
    view = meeting_view({
        "tenant": {"id": "soest", "name": "Stadt Soest"}, "id": "m1", "title": "Sitzung",
        "status": "running", "present": 6, "members": 11, "quorate": True,
        "agenda": [
            {"id": "b", "number": "Ö 2", "position": 2, "title": "Zwei", "status": "voting",
             "live_vote": {"ballots_cast": 3, "roll_size": 6}},
            {"id": "a", "number": "Ö 1", "position": 1, "title": "Eins", "status": "decided",
             "result": {"method": "roll_call", "outcome": "accepted", "yes": 4, "no": 2,
                        "named_votes": [{"name": "Anna Becker", "option_id": "yes"}]}},
        ],
    })
    assert [item.id for item in view.agenda] == ["a", "b"]
    assert view.status_label == "Sitzung läuft"
    decided, voting = view.agenda
    assert decided.result is not None
    assert decided.result.method == "Namentliche Abstimmung"
    assert [(v.name, v.option) for v in decided.result.named_votes] == [("Anna Becker", "Ja")]
    assert voting.progress == "3 von 6 Stimmen abgegeben"
    assert voting.result is None


def test_presence_speaks_of_quorum_only_while_the_session_is_open() -> None:
    base = {"tenant": {"id": "soest"}, "id": "m1", "present": 0, "members": 11,
            "quorate": False, "current_item_id": "a",
            "agenda": [{"id": "a", "number": "Ö 1", "position": 1}]}
    planned = meeting_view({**base, "status": "scheduled"})
    assert planned.presence == "Sitzung noch nicht eröffnet"
    assert not planned.agenda[0].current
    interrupted = meeting_view({**base, "status": "interrupted", "present": 5})
    assert interrupted.presence == "5 von 11 Mitgliedern anwesend – nicht beschlussfähig"
    assert interrupted.agenda[0].current
    assert meeting_view({**base, "status": "closed"}).presence == "Sitzung beendet"
