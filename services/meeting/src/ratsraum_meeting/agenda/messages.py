"""User-facing messages of agenda changes during the session, German first."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

MEETING_CLOSED = Msg(
    "Die Sitzung ist geschlossen; die Tagesordnung kann nicht mehr geändert werden.",
    "The meeting is closed; the agenda can no longer be changed.",
)
NOT_RUNNING = Msg(
    "Die Sitzung läuft nicht; Tagesordnungspunkte können nur in der laufenden Sitzung "
    "aufgerufen, erledigt oder per Dringlichkeit ergänzt werden.",
    "The meeting is not running; agenda items can only be called, decided or added as urgent "
    "while it runs.",
)
BAD_POSITION = Msg(
    "Position {position} gibt es nicht; die Tagesordnung hat {count} Punkte.",
    "There is no position {position}; the agenda has {count} items.",
)
PUBLIC_FIRST = Msg(
    "Nichtöffentliche Punkte stehen nach den öffentlichen; {number} kann nicht dorthin "
    "verschoben werden.",
    "Closed-part items come after the public ones; {number} cannot be moved there.",
)
BAD_TRANSITION = Msg(
    "{number} hat den Status „{current_de}“ und kann nicht in „{target_de}“ wechseln.",
    "{number} is '{current}' and cannot become '{target}'.",
)
VOTE_OPEN = Msg(
    "Zu {number} läuft eine Abstimmung; der Status ergibt sich aus ihrem Ergebnis.",
    "A vote on {number} is open; its status follows from the result.",
)
NUMBER_TAKEN = Msg(
    "Die Nummer {number} ist in dieser Sitzung bereits vergeben.",
    "The number {number} is already used in this meeting.",
)

STATUS_DE = {"pending": "offen", "called": "aufgerufen", "voting": "in Abstimmung",
             "decided": "erledigt", "deferred": "vertagt"}
