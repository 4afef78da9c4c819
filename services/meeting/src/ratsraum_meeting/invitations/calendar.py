"""The iCalendar attachment: one VEVENT per meeting, stable UID, growing SEQUENCE."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from ratsraum_meeting.invitations.content import InvitationContent, one_line

# The scheduled end is not recorded yet; three hours is a typical committee session.
SCHEDULED_LENGTH = timedelta(hours=3)
PRODID = "-//Ratsraum//Sitzungsdienst//DE"
# VTIMEZONE covers a year either side: short, and right for the meeting and its moves.
_TZ_SPAN = timedelta(days=366)


def event_uid(meeting_id: str) -> str:
    """The UID of a meeting's calendar event; the same in every invitation, update, cancel."""
    return f"sitzung-{meeting_id}@ratsraum"


def calendar_description(content: InvitationContent) -> str:
    """The agenda for DESCRIPTION: public items by title, the closed part only counted.

    Calendars are often synchronised to outside services, so closed-part titles stay in the
    mail, which is addressed to the member alone.
    """
    lines = ["Tagesordnung – öffentlicher Teil:"]
    lines += [f"{i.number} {i.title}" for i in content.public_items] or ["(keine Punkte)"]
    closed = len(content.closed_items)
    if closed:
        lines += ["", f"Nichtöffentlicher Teil: {closed} Tagesordnungspunkt(e), "
                      "siehe Einladung per E-Mail."]
    lines += ["", f"Sitzungsunterlagen: {content.documents_url}"]
    return "\n".join(lines)


def _address(email: str, name: str, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(one_line(name))
    if role:
        address.params["role"] = vText(role)
    return address


def build_calendar(
    *, content: InvitationContent, organizer_email: str, organizer_name: str,
    attendee_email: str, attendee_name: str, stamp: datetime,
) -> bytes:
    """The .ics for one member: METHOD REQUEST (invitation, update) or CANCEL."""
    cancel = content.kind == "cancellation"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", event_uid(content.meeting_id))
    event.add("sequence", content.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", content.local_start)
    event.add("dtend", content.local_start + SCHEDULED_LENGTH)
    event.add("summary", one_line(f"{content.title} ({content.body_name})"))
    event.add("location", one_line(content.location))
    event.add("description", calendar_description(content))
    event.add("url", content.meeting_url)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("organizer", _address(organizer_email, organizer_name))
    # Only this member: each invitation is addressed to one person (NRW DigiSiVO § 2).
    event.add("attendee", _address(attendee_email, attendee_name, "REQ-PARTICIPANT"))
    calendar.add_component(event)
    # Adds the VTIMEZONE for Europe/Berlin that DTSTART's TZID refers to.
    day = content.local_start.date()
    calendar.add_missing_timezones(first_date=day - _TZ_SPAN, last_date=day + _TZ_SPAN)
    return bytes(calendar.to_ical())
