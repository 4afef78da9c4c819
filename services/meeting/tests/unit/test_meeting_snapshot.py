"""The public snapshot never carries anything from the closed part."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf import json_format

from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Tenant
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.profiles.quorum import evaluate
from ratsraum_meeting.publish.snapshot import build_public_meeting

AT = datetime(2026, 5, 5, 15, 0, tzinfo=UTC)
SECRET_TITLE = "Grundstücksangelegenheit Gewerbegebiet Süd"


def _poll(poll_id: str, item_id: str, *, state: str, result: dict[str, object] | None) -> Poll:
    return Poll(id=poll_id, meeting_id="m1", agenda_item_id=item_id, title="", method="roll_call",
                majority_rule="simple", state=state, roll_size=7, ballots_cast=5, result=result,
                opened_at=AT, closed_at=AT if result else None, opened_by="clerk")


def _snapshot() -> dict[str, object]:
    items = [
        AgendaItem(id="i1", meeting_id="m1", number="Ö 1", position=1, title="Öffentlich",
                   public=True, votable=True, status="decided"),
        AgendaItem(id="i2", meeting_id="m1", number="Ö 2", position=2, title="Live",
                   public=True, votable=True, status="voting"),
        AgendaItem(id="n1", meeting_id="m1", number="N 1", position=3, title=SECRET_TITLE,
                   public=False, votable=True, status="decided"),
    ]
    result = {"outcome": "accepted", "explanation": "Angenommen.", "yes": 4, "no": 1,
              "abstain": 0, "named_votes": [{"person_id": "p1", "name": "Anna Schulte",
                                             "choice": "yes"}]}
    polls = [
        _poll("poll-public", "i1", state="closed", result=result),
        _poll("poll-live", "i2", state="open", result=None),
        _poll("poll-secret", "n1", state="closed",
              result={**result, "explanation": "Nichtöffentlich beschlossen."}),
    ]
    snapshot = build_public_meeting(
        tenant=Tenant(id="soest", name="Stadt Soest"),
        body=Body(id="b1", name="Ausschuss", statutory_members=11, rule_profile="NRW"),
        meeting=Meeting(id="m1", body_id="b1", title="4. Sitzung", starts_at=AT,
                        location="Rathaus", status="running", version=3),
        items=items, polls=polls,
        quorum=evaluate(rule="NRW", present=7, statutory_members=11), updated_at=AT,
    )
    return json_format.MessageToDict(snapshot, preserving_proto_field_name=True)


def test_closed_part_items_are_left_out_entirely() -> None:
    snapshot = _snapshot()
    assert [i["number"] for i in snapshot["agenda"]] == ["Ö 1", "Ö 2"]  # type: ignore[index]
    text = str(snapshot)
    assert SECRET_TITLE not in text
    assert "poll-secret" not in text
    assert "Nichtöffentlich beschlossen." not in text


def test_public_items_carry_result_and_live_vote() -> None:
    agenda = _snapshot()["agenda"]
    decided, live = agenda  # type: ignore[misc]
    assert decided["result"]["yes"] == 4
    assert decided["result"]["named_votes"] == [{"name": "Anna Schulte", "option_id": "yes"}]
    assert live["live_vote"] == {"poll_id": "poll-live", "ballots_cast": 5, "roll_size": 7}
    assert "result" not in live


def test_quorum_figures_are_public() -> None:
    snapshot = _snapshot()
    assert (snapshot["present"], snapshot["members"], snapshot["quorate"]) == (7, 11, True)


def test_vote_record_names_its_rule_and_the_secret_record_hash() -> None:
    item = AgendaItem(id="i1", meeting_id="m1", number="Ö 1", position=1, title="Wahl",
                      public=True, votable=True, status="decided", paper_id="paper-9")
    secret = _poll("poll-1", "i1", state="closed", result={
        "outcome": "accepted", "yes": 6, "no": 1, "abstain": 0, "record_sha256": "cd" * 32})
    secret.method, secret.majority_rule = "secret", "two_thirds_of_cast"
    snapshot = json_format.MessageToDict(build_public_meeting(
        tenant=Tenant(id="soest", name="Stadt Soest"),
        body=Body(id="b1", name="Ausschuss", statutory_members=11, rule_profile="NRW"),
        meeting=Meeting(id="m1", body_id="b1", title="4. Sitzung", starts_at=AT,
                        location="Rathaus", status="running", version=3),
        items=[item], polls=[secret],
        quorum=evaluate(rule="NRW", present=7, statutory_members=11), updated_at=AT,
    ), preserving_proto_field_name=True)
    assert snapshot["body_id"] == "b1"
    (public,) = snapshot["agenda"]
    assert public["paper_id"] == "paper-9"
    assert public["result"]["majority_rule"] == "two_thirds_of_cast"
    assert public["result"]["record_sha256"] == "cd" * 32
    assert "named_votes" not in public["result"]


def test_every_counted_vote_on_an_item_is_kept_oldest_first() -> None:
    """A re-run or runoff keeps the earlier count with its outcome; cancelled, open and
    closed-part votes are not among them."""
    items = [
        AgendaItem(id="i1", meeting_id="m1", number="Ö 1", position=1, title="Wahl",
                   public=True, votable=True, status="voting"),
        AgendaItem(id="n1", meeting_id="m1", number="N 1", position=2, title=SECRET_TITLE,
                   public=False, votable=True, status="decided"),
    ]
    first = _poll("poll-a", "i1", state="closed", result={"outcome": "rejected", "yes": 3})
    cancelled = _poll("poll-b", "i1", state="cancelled", result=None)
    runoff = _poll("poll-c", "i1", state="closed", result={"outcome": "accepted", "yes": 5})
    rerun = _poll("poll-d", "i1", state="open", result=None)
    closed_part = _poll("poll-n", "n1", state="closed", result={"outcome": "accepted"})
    for minute, poll in enumerate((first, cancelled, runoff, rerun, closed_part)):
        poll.opened_at = AT.replace(minute=minute)
    snapshot = json_format.MessageToDict(build_public_meeting(
        tenant=Tenant(id="soest", name="Stadt Soest"),
        body=Body(id="b1", name="Ausschuss", statutory_members=11, rule_profile="NRW"),
        meeting=Meeting(id="m1", body_id="b1", title="4. Sitzung", starts_at=AT,
                        location="Rathaus", status="running", version=3),
        items=items, polls=[runoff, rerun, closed_part, cancelled, first],
        quorum=evaluate(rule="NRW", present=7, statutory_members=11), updated_at=AT,
    ), preserving_proto_field_name=True)
    (item,) = snapshot["agenda"]
    assert [(r["poll_id"], r["outcome"]) for r in item["results"]] == [
        ("poll-a", "rejected"), ("poll-c", "accepted")]
    assert item["live_vote"]["poll_id"] == "poll-d"
    assert "poll-n" not in str(snapshot)
