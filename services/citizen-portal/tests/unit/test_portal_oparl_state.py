"""OParl meetingState follows the specification's recommended words, never 'held' too early."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ratsraum_portal.api.oparl import meeting_object
from ratsraum_portal.api.oparl_objects import Related
from ratsraum_portal.meetings.models import PublicMeetingView
from ratsraum_portal.minutes.models import PublicMinutes

BASE = "https://portal.example.de"
SIGNED = datetime(2025, 11, 26, 9, 30, tzinfo=UTC)


def _row(status: str) -> PublicMeetingView:
    return PublicMeetingView(
        id="m1", tenant_id="soest", version=1, title="3. Sitzung", body_name="Rat",
        status=status, starts_at=datetime(2025, 11, 25, 17, tzinfo=UTC),
        updated_at=SIGNED, snapshot={"status": status, "starts_at": "2025-11-25T17:00:00Z",
                                     "updated_at": "2025-11-25T17:00:00Z", "agenda": []},
    )


def _minutes() -> PublicMinutes:
    return PublicMinutes(
        tenant_id="soest", meeting_id="m1", minutes_sha256="0" * 64, public_html="<p>x</p>",
        public_html_sha256="1" * 64, signed_at=SIGNED, chair_name="A", clerk_name="B",
        content={"items": []}, event_id="e1",
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [("scheduled", "terminiert"), ("running", "eingeladen"), ("interrupted", "eingeladen"),
     ("closed", "eingeladen")],
)
def test_a_meeting_without_signed_minutes_is_not_held(status: str, expected: str) -> None:
    assert meeting_object(BASE, _row(status), None, Related())["meetingState"] == expected


def test_a_closed_meeting_with_signed_minutes_is_held() -> None:
    held = meeting_object(BASE, _row("closed"), _minutes(), Related())
    assert held["meetingState"] == "durchgeführt"
