"""The current item in the public snapshot: named when public, never when in the closed part."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ratsraum.meeting.v1 import public_pb2
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Tenant
from ratsraum_meeting.profiles.quorum import evaluate
from ratsraum_meeting.publish.snapshot import build_public_meeting

AT = datetime(2026, 5, 5, 15, 0, tzinfo=UTC)
ITEMS = [
    AgendaItem(id="o1", meeting_id="m1", number="Ö 1", position=1, title="Öffentlich",
               public=True, votable=True, status="called"),
    AgendaItem(id="n1", meeting_id="m1", number="N 1", position=2,
               title="Grundstücksangelegenheit", public=False, votable=True, status="called"),
]


def _snapshot(current: str | None) -> public_pb2.PublicMeeting:
    return build_public_meeting(
        tenant=Tenant(id="soest", name="Stadt Soest"),
        body=Body(id="b1", name="Ausschuss", statutory_members=11, rule_profile="NRW"),
        meeting=Meeting(id="m1", body_id="b1", title="4. Sitzung", starts_at=AT,
                        location="Rathaus", status="running", version=3),
        items=ITEMS, polls=[], quorum=evaluate(rule="NRW", present=7, statutory_members=11),
        updated_at=AT, current_item_id=current,
    )


def test_a_public_current_item_is_named() -> None:
    assert _snapshot("o1").current_item_id == "o1"


@pytest.mark.parametrize("current", ["n1", None, "not-an-item"])
def test_a_closed_or_unknown_current_item_is_never_revealed(current: str | None) -> None:
    snapshot = _snapshot(current)
    assert snapshot.current_item_id == ""
    assert b"n1" not in snapshot.SerializeToString()
