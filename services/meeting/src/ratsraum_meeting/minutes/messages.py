"""German-first texts of the minutes' refusals."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

SEALED = Msg(
    "Die Niederschrift ist von Vorsitz und Schriftführung unterzeichnet und kann nicht mehr "
    "geändert werden.",
    "The minutes are signed by chair and clerk and can no longer be changed.",
)
ALREADY_SIGNED = Msg(
    "Die Niederschrift ist für die Rolle „{role}“ bereits unterzeichnet.",
    "The minutes are already signed in the role '{role}'.",
)
ROLE_NOT_HELD = Msg(
    "Sie können nur in einer Rolle unterzeichnen, die Sie innehaben ({role}).",
    "You can only sign in a role you hold ({role}).",
)
SAME_SIGNER = Msg(
    "Vorsitz und Schriftführung müssen von zwei verschiedenen Personen unterzeichnen.",
    "Chair and clerk must be two different people.",
)
POLL_OPEN = Msg(
    "Während einer laufenden Abstimmung kann die Niederschrift nicht unterzeichnet werden.",
    "The minutes cannot be signed while a vote is open.",
)
ITEM_NOT_FOUND = Msg(
    "Diesen Tagesordnungspunkt gibt es in dieser Sitzung nicht.",
    "There is no such agenda item in this meeting.",
)
NOT_A_MEMBER = Msg(
    "Diese Person ist kein Mitglied des Gremiums dieser Sitzung.",
    "This person is not a member of this meeting's body.",
)
