"""What an invitation says, gathered once per send and shared by the mail and the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
_WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def one_line(text: str) -> str:
    """The text with every line break (and run of white space) as one space.

    Mail headers and calendar parameters cannot hold line breaks (a break there would even
    start a new header), yet titles and names typed into forms or imported may contain them.
    """
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class ItemLine:
    """One agenda item as the invitation lists it."""

    id: str
    number: str
    title: str
    public: bool


@dataclass(frozen=True, slots=True)
class InvitationContent:
    """The meeting as every member's invitation describes it (personal parts come later)."""

    meeting_id: str
    title: str
    body_name: str
    town_name: str
    starts_at: datetime
    location: str
    items: tuple[ItemLine, ...]
    kind: str
    sequence: int
    meeting_url: str
    documents_url: str

    @property
    def public_items(self) -> list[ItemLine]:
        """The public part."""
        return [i for i in self.items if i.public]

    @property
    def closed_items(self) -> list[ItemLine]:
        """The closed part (members only)."""
        return [i for i in self.items if not i.public]

    @property
    def local_start(self) -> datetime:
        """The start in German local time."""
        return self.starts_at.astimezone(BERLIN)

    @property
    def when(self) -> str:
        """The start as Germans write it: "Dienstag, 12.05.2026, 17:00 Uhr"."""
        local = self.local_start
        return f"{_WEEKDAYS[local.weekday()]}, {local:%d.%m.%Y}, {local:%H:%M} Uhr"

    @property
    def subject(self) -> str:
        """The mail's German subject line, by kind."""
        prefix = {"invitation": "Einladung", "update": "Geänderte Einladung",
                  "cancellation": "Absage"}[self.kind]
        return one_line(f"{prefix}: {self.title} am {self.local_start:%d.%m.%Y}")
