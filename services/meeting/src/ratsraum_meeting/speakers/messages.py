"""User-facing messages of the speakers list, German first."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

ONLY_FOR_YOURSELF = Msg(
    "Mitglieder können sich nur selbst auf die Redeliste setzen oder ihre eigene Wortmeldung "
    "zurückziehen.",
    "Members may only put themselves on the speakers list or withdraw their own request.",
)
NOT_A_MEMBER = Msg(
    "Diese Person ist kein Mitglied des Gremiums dieser Sitzung.",
    "This person is not a member of this meeting's body.",
)
MEETING_CLOSED = Msg(
    "Die Sitzung ist geschlossen; die Redeliste kann nicht mehr geändert werden.",
    "The meeting is closed; the speakers list can no longer be changed.",
)
NOT_RUNNING = Msg(
    "Die Sitzung läuft nicht; das Wort kann erst in der laufenden Sitzung erteilt werden.",
    "The meeting is not running; the floor can only be given while it runs.",
)
ALREADY_REQUESTED = Msg(
    "Sie stehen zu {number} bereits auf der Redeliste.",
    "You are already on the speakers list for {number}.",
)
LIST_CLOSED = Msg(
    "Die Redeliste zu {number} ist geschlossen; nur Wortmeldungen zur Geschäftsordnung sind "
    "noch möglich.",
    "The speakers list for {number} is closed; only points of order are still possible.",
)
REQUEST_NOT_FOUND = Msg(
    "Diese Wortmeldung gibt es auf der Redeliste nicht (mehr).",
    "This request is not (or no longer) on the speakers list.",
)
NOT_WAITING = Msg(
    "Diese Wortmeldung wartet nicht mehr; sie kann weder verschoben noch zurückgezogen werden.",
    "This request is no longer waiting; it cannot be moved or withdrawn.",
)
BAD_POSITION = Msg(
    "Position {position} gibt es nicht; auf der Redeliste warten {count} Wortmeldungen.",
    "There is no position {position}; {count} requests are waiting.",
)
NOBODY_WAITING = Msg(
    "Auf der Redeliste wartet niemand mehr.",
    "Nobody is waiting on the speakers list.",
)
NOBODY_SPEAKING = Msg(
    "Zurzeit hat niemand das Wort.",
    "Nobody has the floor at the moment.",
)
