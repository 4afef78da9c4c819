"""iCalendar feeds: one VEVENT per public meeting; UID stable, SEQUENCE the public version.

Calendar apps poll a subscribed feed and replace an event whose SEQUENCE or LAST-MODIFIED
grew, so the read model's version (it grows with every public change) serves as SEQUENCE.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from ratsraum_portal.meetings.models import PublicMeetingView

PRODID = "-//Ratsraum//Buergerportal//DE"
# Meeting publishes no planned end; three hours is a typical committee session.
SCHEDULED_LENGTH = timedelta(hours=3)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def body_slug(body_name: str) -> str:
    """A body's name as an address part: 'Ausschuss für Umwelt' → 'ausschuss-fuer-umwelt'."""
    ascii_name = unicodedata.normalize("NFKD", body_name.lower().translate(_UMLAUTS))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_name).strip("-")


def event_uid(row: PublicMeetingView) -> str:
    """The meeting's UID in every feed, for as long as it exists."""
    return f"oeffentlich-{row.tenant_id}-{row.id}@ratsraum"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _event(row: PublicMeetingView, *, page_url: str) -> Event | None:
    if row.starts_at is None:
        return None  # a calendar entry needs a start
    start = _aware(row.starts_at)
    changed = _aware(row.updated_at)
    event = Event()
    event.add("uid", event_uid(row))
    event.add("sequence", row.version)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    if row.created_at is not None:
        event.add("created", _aware(row.created_at))
    event.add("dtstart", start)
    event.add("dtend", start + SCHEDULED_LENGTH)
    event.add("summary", f"{row.title} ({row.body_name})" if row.body_name else row.title)
    location = str(row.snapshot.get("location", ""))
    if location:
        event.add("location", location)
    event.add("url", page_url)
    event.add("description", f"Öffentliche Sitzung. Tagesordnung und Live-Stand: {page_url}")
    event.add("status", "CONFIRMED")
    event.add("class", "PUBLIC")
    return event


def build_feed(*, name: str, rows: list[PublicMeetingView], base_url: str) -> bytes:
    """A subscribable calendar of these meetings."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    # Apps that honour it poll hourly; meetings rarely move faster than that.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for row in rows:
        event = _event(row, page_url=f"{base_url}/{row.tenant_id}/sitzungen/{row.id}")
        if event is not None:
            calendar.add_component(event)
    return bytes(calendar.to_ical())
